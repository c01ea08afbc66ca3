"""A parse batch survives every way it is pickled (plain, cloudpickle, Dask's messages) page
for page, and travels packed: its bodies out-of-band, a page's digest only if computed."""

from __future__ import annotations

import gc
import hashlib
import pickle
import weakref
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import cloudpickle
import pytest
from distributed.protocol import dumps, loads
from distributed.protocol.serialize import ToPickle, deserialize, serialize

from extract.local import read_local_file, walk_directory
from extract.rawpage import RawPage
from medcodes.pipeline import PageBatch
from medcodes.sample import sample_pages_dir
from schemas.reasons import QuarantineEntry

NEW_YORK = ZoneInfo("America/New_York")
UTC_NOW = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def _entry(url: str) -> QuarantineEntry:
    return QuarantineEntry(source_url=url, stage="fetch", reason="http_404", detail="captured with HTTP 404",
                           content_sha256=None, seen_at=UTC_NOW)


def _items() -> list[RawPage | QuarantineEntry]:
    """Fetch failures first, between and last; pages of every shape; half the digests computed."""
    sample = [read_local_file(path) for path in list(walk_directory(sample_pages_dir()))[:4]]
    built = [
        RawPage("https://x.test/latin1", "caf\xe9 \xff\xfe".encode("latin-1"), UTC_NOW, "text/html", "iso-8859-1",
                "https://x.test/moved", 200, {"Content-Type": "text/html; charset=iso-8859-1", "ETag": '"a1"'}),
        RawPage("https://x.test/empty", b"", UTC_NOW, None, None, None, 204, {}),
        # a zone's ambiguous hour (fold 1), an hour its clocks skip, a fixed offset
        RawPage("https://x.test/fold", b"<p>fold</p>", datetime(2024, 11, 3, 1, 30, tzinfo=NEW_YORK, fold=1)),
        RawPage("https://x.test/gap", b"<p>gap</p>", datetime(2024, 3, 10, 2, 30, tzinfo=NEW_YORK)),
        RawPage("https://x.test/ist", b"\x00\x01",
                datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ]
    pages = sample + built
    for page in pages[::2]:
        assert page.sha256
    return [_entry("https://x.test/a"), *pages[:3], _entry("https://x.test/b"), *pages[3:], _entry("https://x.test/c")]


def _assert_same(back: list, items: list) -> None:
    assert len(back) == len(items)
    for got, want in zip(back, items):
        assert type(got) is type(want) and got == want
        if isinstance(want, RawPage):
            assert type(got.body) is bytes
            assert ("sha256" in got.__dict__) == ("sha256" in want.__dict__)  # computed or still lazy
            assert got.__dict__.get("sha256") == want.__dict__.get("sha256")
            assert type(got.fetched_at.tzinfo) is type(want.fetched_at.tzinfo)
            assert got.fetched_at.tzinfo == want.fetched_at.tzinfo
            assert (got.fetched_at.replace(tzinfo=None), got.fetched_at.fold) == \
                (want.fetched_at.replace(tzinfo=None), want.fetched_at.fold)
            if want.fetched_at.tzinfo in (timezone.utc, NEW_YORK):
                assert got.fetched_at.tzinfo is want.fetched_at.tzinfo


def _plain(batch: PageBatch, protocol: int, out_of_band: bool) -> PageBatch:
    buffers: list = []
    data = pickle.dumps(batch, protocol=protocol, buffer_callback=buffers.append if out_of_band else None)
    return pickle.loads(data, buffers=buffers)


def _cloudpickle(batch: PageBatch) -> PageBatch:
    buffers: list = []
    return pickle.loads(cloudpickle.dumps(batch, protocol=5, buffer_callback=buffers.append), buffers=buffers)


def _dask_serialize(batch: PageBatch) -> PageBatch:
    return deserialize(*serialize(batch, serializers=("pickle",)))


def _dask_message(batch: PageBatch) -> PageBatch:
    """As a task travels: the client's message to the scheduler, which forwards it to a worker."""
    frames = dumps({"op": "update-graph", "batch": ToPickle(batch)})
    at_scheduler = loads([bytearray(frame) for frame in frames])["batch"]  # as read from a socket
    frames = dumps({"op": "compute-task", "batch": ToPickle(at_scheduler)})
    return loads([bytearray(frame) for frame in frames])["batch"]


ROUND_TRIPS = {
    "pickle-4": lambda batch: _plain(batch, 4, out_of_band=False),
    "pickle-5": lambda batch: _plain(batch, 5, out_of_band=False),
    "pickle-5-out-of-band": lambda batch: _plain(batch, 5, out_of_band=True),
    "cloudpickle": _cloudpickle,
    "dask-serialize": _dask_serialize,
    "dask-messages": _dask_message,
}


@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_a_batch_comes_back_page_for_page(round_trip) -> None:
    items = _items()
    batch = PageBatch(items)
    back = round_trip(batch)
    assert back.token == batch.token and back.__dask_tokenize__() == batch.__dask_tokenize__()
    _assert_same(list(round_trip(batch)), items)  # iterated, as the parse task reads it
    _assert_same(back.pages, items)
    _assert_same(list(back), items)
    _assert_same(round_trip(back).pages, items)  # unpacked, then pickled again


@pytest.mark.parametrize("items", [[], [_entry("https://x.test/only")]], ids=["empty", "no pages"])
@pytest.mark.parametrize("round_trip", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_a_batch_without_pages_comes_back(round_trip, items) -> None:
    _assert_same(round_trip(PageBatch(items)).pages, items)
    _assert_same(list(round_trip(PageBatch(items))), items)


def test_an_iterated_batch_keeps_none_of_its_pages() -> None:
    """Parsing iterates the batch the worker's task still holds: a page it has passed on is
    the parser's alone, so its body copy goes when the parser is done with it."""
    batch = _dask_message(PageBatch(_items()))
    gone = []
    for page in batch:
        if isinstance(page, RawPage):
            gone.append(weakref.ref(page))
    del page
    gc.collect()
    assert len(gone) == 9 and all(ref() is None for ref in gone)
    _assert_same(batch.pages, _items())  # and can still be read whole


def test_the_bodies_travel_out_of_band_in_one_buffer_and_uncopied_through_the_scheduler() -> None:
    items = _items()
    total = sum(len(item.body) for item in items if isinstance(item, RawPage))
    buffers: list = []
    data = pickle.dumps(PageBatch(items), protocol=5, buffer_callback=buffers.append)
    assert [buffer.raw().nbytes for buffer in buffers] == [total]
    assert not any(item.body in data for item in items if isinstance(item, RawPage) and len(item.body) > 100)

    at_scheduler = pickle.loads(data, buffers=buffers)  # not unpacked until its pages are read
    forwarded: list = []
    pickle.dumps(at_scheduler, protocol=5, buffer_callback=forwarded.append)
    assert forwarded[0].raw().obj is buffers[0].raw().obj


def test_a_digest_not_computed_stays_lazy() -> None:
    page = RawPage("https://x.test/p", b"<p>1</p>", UTC_NOW)
    back = _dask_message(PageBatch([page])).pages[0]
    assert "sha256" not in back.__dict__
    assert back.sha256 == hashlib.sha256(b"<p>1</p>").hexdigest()


def _page(size: int, n: int) -> RawPage:
    return RawPage(f"https://x.test/{n}", b"x" * size, UTC_NOW)


def test_page_batches_end_at_the_page_count_or_the_byte_cap() -> None:
    from medcodes.pipeline import page_batches

    small = [_page(10, n) for n in range(7)]
    assert [len(b) for b in page_batches(small, max_pages=3, max_bytes=10_000)] == [3, 3, 1]
    big = [_page(400, n) for n in range(7)]
    assert [len(b) for b in page_batches(big, max_pages=100, max_bytes=1_000)] == [2, 2, 2, 1]
    exact = [_page(500, n) for n in range(4)]
    assert [len(b) for b in page_batches(exact, max_pages=100, max_bytes=1_000)] == [2, 2]


def test_a_page_over_the_cap_is_a_batch_alone_and_failures_weigh_nothing() -> None:
    from medcodes.pipeline import page_batches

    items = [_page(300, 0), _entry("https://x.test/a"), _page(5_000, 1), _entry("https://x.test/b"),
             _page(300, 2), _page(300, 3), _entry("https://x.test/c"), _page(300, 4), _page(300, 5)]
    batches = list(page_batches(items, max_pages=100, max_bytes=1_000))
    assert [[getattr(i, "url", None) or i.source_url for i in b] for b in batches] == [
        ["https://x.test/0", "https://x.test/a"], ["https://x.test/1"],
        ["https://x.test/b", "https://x.test/2", "https://x.test/3", "https://x.test/c", "https://x.test/4"],
        ["https://x.test/5"]]
    assert [item for batch in batches for item in batch] == items
    assert list(page_batches([], max_pages=3, max_bytes=10)) == []
