"""The file-hash cache: a file is trusted unread only while its size, times, inode and
device are those recorded with its hash; edits that restore the modification time, files
replaced by a copy, and files hashed in the same clock tick as their last change are not."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest

from extract.file_hashes import CACHE_NAME, FileHashes, UnchangedFile
from extract.local import read_local_file
from extract.sources import SourcePlan
from extract.stream import iter_local_files


@pytest.fixture()
def pages(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "pages"
    folder.mkdir()
    paths = [folder / f"page{i}.html" for i in range(3)]
    for i, path in enumerate(paths):
        path.write_text(f"<html><title>{i}</title></html>")
    time.sleep(0.05)  # later writes land in a later tick of the file system's (coarse) clock
    return paths


def remembered(paths: list[Path], raw: Path, margin_ns: int = 0) -> FileHashes:
    """A run over `paths` that records every file, saved to and loaded back from `raw`."""
    hashes = FileHashes(racy_margin_ns=margin_ns)
    assert all(not isinstance(page, UnchangedFile) for page in iter_local_files(SourcePlan(files=paths), hashes))
    hashes.save(raw)
    return FileHashes.load(raw, racy_margin_ns=margin_ns)


def test_unchanged_files_are_known_with_the_hash_and_url_of_their_bytes(pages, tmp_path):
    known = remembered(pages, tmp_path / "raw")
    found = list(iter_local_files(SourcePlan(files=pages), known))
    assert all(isinstance(page, UnchangedFile) for page in found)
    read = [read_local_file(path) for path in pages]
    assert [(f.path, f.url, f.sha256) for f in found] == [(p, r.source_url, r.sha256)
                                                          for p, r in zip(pages, read)]
    assert len(known) == len(pages)  # the entries used are kept for the next run


def test_an_edit_that_restores_size_and_modification_time_is_read_again(pages, tmp_path):
    known = remembered(pages, tmp_path / "raw")
    before = pages[1].stat()
    pages[1].write_text(pages[1].read_text().replace("1", "9"))  # same size
    os.utime(pages[1], ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -d`, `cp -p`, `rsync -t`
    after = pages[1].stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    found = list(iter_local_files(SourcePlan(files=pages), known))
    assert [type(page).__name__ for page in found] == ["UnchangedFile", "RawPage", "UnchangedFile"]
    assert found[1].body == b"<html><title>9</title></html>"


def test_a_file_replaced_by_a_copy_with_the_same_bytes_and_times_is_read_again(pages, tmp_path):
    known = remembered(pages, tmp_path / "raw")
    copy = tmp_path / "copy.html"
    shutil.copy2(pages[0], copy)  # same bytes and modification time, another inode
    os.replace(copy, pages[0])
    assert [type(page).__name__ for page in iter_local_files(SourcePlan(files=pages), known)] == [
        "RawPage", "UnchangedFile", "UnchangedFile"]


def test_files_changed_within_the_racy_margin_of_their_hashing_are_not_remembered(pages, tmp_path):
    known = remembered(pages, tmp_path / "raw", margin_ns=3_600 * 10**9)  # "changed" within the hour
    assert len(known) == 0 and (tmp_path / "raw" / CACHE_NAME).exists()
    assert not any(isinstance(page, UnchangedFile) for page in iter_local_files(SourcePlan(files=pages), known))


def test_a_missing_file_is_quarantined_whatever_the_cache_says(pages, tmp_path):
    known = remembered(pages, tmp_path / "raw")
    pages[2].unlink()
    last = list(iter_local_files(SourcePlan(files=pages), known))[-1]
    assert (last.reason, last.source_url) == ("read_error", pages[2].as_uri())


def test_an_unreadable_cache_is_ignored_with_a_warning(pages, tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / CACHE_NAME).write_bytes(b"not parquet")
    with caplog.at_level(logging.WARNING, logger="extract.file_hashes"):
        hashes = FileHashes.load(raw)
    assert "ignoring unreadable file-hash cache" in caplog.text
    assert not any(isinstance(page, UnchangedFile) for page in iter_local_files(SourcePlan(files=pages), hashes))
    assert FileHashes.load(tmp_path / "nowhere").lookup(pages[0], pages[0].stat()) is None
