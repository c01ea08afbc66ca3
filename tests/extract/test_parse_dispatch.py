"""parse_page: format sniffing, quarantine reasons, and never crashing on a bad page."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest

from extract import parse as parse_module
from extract.decode import decode_page
from extract.document import ParsedPage
from extract.html_parser import parse_html
from extract.parse import looks_like_html, parse_page
from extract.rawpage import RawPage
from schemas.reasons import QuarantineEntry

FIXTURES = Path(__file__).parent / "parser_fixtures"
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
HTML = b"<!doctype html><html><body><h1>99213</h1><h2>Summary</h2><p>Visit.</p></body></html>"


def _raw(body: bytes, url: str = "https://x.example/cpt/99213", ctype: str | None = None, **kw) -> RawPage:
    return RawPage(source_url=url, body=body, fetched_at=WHEN, content_type=ctype, **kw)


def _reason(result) -> str:
    assert isinstance(result, QuarantineEntry), result
    assert result.stage == "parse"
    return result.reason


@pytest.mark.parametrize("body", [b"", b"   \n\t "])
def test_empty_page(body: bytes) -> None:
    raw = _raw(body, ctype="text/html")
    entry = parse_page(raw)
    assert _reason(entry) == "empty_page"
    assert entry.source_url == raw.url and entry.content_sha256 == raw.sha256 and entry.seen_at == WHEN


def test_markup_without_text_is_empty() -> None:
    assert _reason(parse_page(_raw(b"<html><head><script>x()</script></head><body></body></html>",
                                   ctype="text/html"))) == "empty_page"


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 1 0 obj", "text/html"),  # lying header: bytes win
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None),
        (b"PK\x03\x04\x14\x00\x06\x00", "application/octet-stream"),
        (gzip.compress(b"<html></html>"), "text/html"),
        (b"abc\x00\x00\x01\x02def" * 20, None),
        (b'{"code": "99213"}', "application/json"),
        (b"GIF89a....", "image/gif"),
    ],
)
def test_not_html(body: bytes, ctype: str | None) -> None:
    result = parse_page(_raw(body, ctype=ctype))
    assert _reason(result) == "not_html"
    assert result.detail


def test_html_by_content_type_extension_and_sniffing() -> None:
    for raw in (_raw(HTML, ctype="text/html"),
                _raw(HTML, url="file:///pages/99213.html"),
                _raw(HTML, ctype="application/octet-stream"),
                _raw(HTML, url="file:///pages/99213.txt", ctype="text/plain")):  # saved HTML named .txt
        page = parse_page(raw)
        assert isinstance(page, ParsedPage)
        assert page.descriptor == "99213" and [s.heading for s in page.sections] == ["Summary"]


def test_plain_text_page_is_read_as_text() -> None:
    text = b"Search all medical codes\n\nA <b> tag mention\n\nSummary\n\nVisit for x < y.\n"
    page = parse_page(_raw(text, url="file:///pages/a.txt", ctype="text/plain"))
    assert isinstance(page, ParsedPage)
    assert page.lead == ["Search all medical codes", "A <b> tag mention"]
    assert page.sections[0].text == "Visit for x < y."


def test_seed_copy_through_dispatch() -> None:
    path = FIXTURES / "seed_000_8059bbc75203bceb.txt"
    page = parse_page(_raw(path.read_bytes(), url=path.resolve().as_uri(), ctype="text/plain"))
    assert isinstance(page, ParsedPage) and len(page.sections) == 15


def test_charset_from_rawpage_is_used() -> None:
    body = "<html><body><h1>X</h1><h2>Summary</h2><p>“quoted” café</p></body></html>".encode("cp1252")
    page = parse_page(_raw(body, ctype="text/html", charset="windows-1252"))
    assert page.sections[0].text == "“quoted” café"


def test_parser_exception_becomes_parse_error(monkeypatch) -> None:
    def explode(html: str, url: str | None = None) -> ParsedPage:
        raise ValueError("boom on purpose")

    monkeypatch.setattr(parse_module, "parse_html", explode)
    result = parse_page(_raw(HTML, ctype="text/html"))
    assert _reason(result) == "parse_error" and "boom on purpose" in result.detail


def test_looks_like_html() -> None:
    assert looks_like_html(b"  <!-- saved --><!DOCTYPE html><p>")
    assert looks_like_html(b"<div><p>a</p><p>b</p></div>")
    assert not looks_like_html(b"Summary\n\nx < y and a <b> mention\n")


def test_every_fixture_parses() -> None:
    for path in sorted(FIXTURES.iterdir()):
        ctype = "text/plain" if path.suffix == ".txt" else "text/html"
        result = parse_page(_raw(path.read_bytes(), url=path.resolve().as_uri(), ctype=ctype))
        assert isinstance(result, ParsedPage), (path.name, result)
        assert result.sections, path.name


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.htm*")), ids=lambda p: p.name)
def test_html_read_from_its_utf8_bytes_parses_as_its_text(path: Path) -> None:
    """(Most fixtures are UTF-8 and go to the parser as bytes; the BOM and windows-1252 ones as text.)"""
    body = path.read_bytes()
    url = f"https://x.example/{path.name}"
    assert parse_page(_raw(body, url, "text/html")) == parse_html(decode_page(body).text, url)
