"""Encoding choice: BOM, header, meta, UTF-8, detection, replacement — in that order."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from extract.decode import decode_bytes, decode_page, sniff_declared

FIXTURES = Path(__file__).parent / "parser_fixtures"
WESTERN = "café déjà vu “quoted” naïve résumé — préparation des élèves, 24–48 hours"


def test_bom_wins_over_everything() -> None:
    body = codecs.BOM_UTF8 + "<meta charset='windows-1252'>café".encode("utf-8")
    decoded = decode_page(body, header_charset="iso-8859-1")
    assert (decoded.encoding, decoded.source) == ("utf-8", "bom")
    assert decoded.text.endswith("café") and not decoded.text.startswith("\ufeff")
    assert decode_bytes(codecs.BOM_UTF16_LE + "hé".encode("utf-16-le")) == "hé"
    assert decode_bytes(codecs.BOM_UTF16_BE + "hé".encode("utf-16-be")) == "hé"


def test_header_charset_then_meta() -> None:
    body = WESTERN.encode("cp1252")
    assert decode_page(body, "windows-1252").source == "header"
    assert decode_bytes(body, "windows-1252") == WESTERN
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' + body
    decoded = decode_page(meta)
    assert (decoded.source, decoded.encoding) == ("meta", "cp1252")
    assert decoded.text.endswith(WESTERN)


def test_latin1_label_means_windows_1252() -> None:
    assert decode_bytes("“x”".encode("cp1252"), "ISO-8859-1") == "“x”"


def test_utf8_bytes_under_a_latin1_header_stay_utf8() -> None:
    decoded = decode_page(WESTERN.encode("utf-8"), "iso-8859-1")
    assert decoded.text == WESTERN and decoded.encoding == "utf-8"


def test_declaration_the_bytes_contradict_is_skipped() -> None:
    body = b"<meta charset='utf-8'>" + WESTERN.encode("cp1252")
    assert decode_bytes(body).endswith(WESTERN)


def test_undeclared_text_is_utf8_or_detected() -> None:
    assert decode_page(WESTERN.encode("utf-8")).source == "utf-8"
    detected = decode_page((("<p>" + WESTERN + "</p>") * 3).encode("cp1252"))
    assert detected.source == "detected" and WESTERN in detected.text
    russian = "Привет мир, это тестовая страница о медицинских кодах и процедурах"
    assert decode_bytes(russian.encode("cp1251")) == russian


def test_unknown_labels_and_garbage_never_raise() -> None:
    assert decode_bytes(b"abc", "no-such-charset") == "abc"
    assert sniff_declared(b"<meta charset=bogus>") is None
    assert sniff_declared(b'<?xml version="1.0" encoding="ISO-8859-1"?><html>') == "cp1252"
    assert isinstance(decode_bytes(bytes(range(256))), str)


def test_fixture_pages() -> None:
    cp = decode_page((FIXTURES / "windows1252_meta.html").read_bytes())
    assert cp.source == "meta" and "surgeon’s “clean-up”" in cp.text
    bom = decode_page((FIXTURES / "bom_utf8.html").read_bytes())
    assert bom.source == "bom" and bom.text.startswith("<!DOCTYPE html>")


_PAGE = "<title>99213 – Office visit</title><p>Naïve résumé, 24–48 hours.</p>"


@pytest.mark.parametrize("body,charset,whole", [
    (_PAGE.encode("utf-8"), None, True),  # strict UTF-8 by default
    (_PAGE.encode("utf-8"), "iso-8859-1", True),  # the lying Latin-1 header
    (b'<meta charset="utf-8">' + _PAGE.encode("utf-8"), None, True),
    (codecs.BOM_UTF8 + _PAGE.encode("utf-8"), None, False),  # the text lacks the BOM
    (_PAGE.encode("cp1252", "replace"), "windows-1252", False),
    (_PAGE.encode("utf-8") + b"\xff\xfe", None, False),  # not UTF-8: detected or replaced
])
def test_is_body_utf8_only_when_the_bytes_are_the_text(body: bytes, charset: str | None, whole: bool) -> None:
    decoded = decode_page(body, charset)
    assert decoded.is_body_utf8 is whole
    assert (body == decoded.text.encode("utf-8", "surrogatepass")) is whole
