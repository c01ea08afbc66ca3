"""A page naming two systems that share a code (CDT and HCPCS D-codes) publishes the HCPCS code."""

from __future__ import annotations

from extract.html_parser import parse_html
from transform.code_detect import detect_code


def _detect(body: str):
    return detect_code(parse_html(f"<html><body><main>{body}</main></body></html>"), "https://example.org/x")


def test_cdt_label_with_hcpcs_named_elsewhere_is_hcpcs():
    match = _detect("<h1>CDT code D2740</h1><p><em>HCPCS Level II (D-codes)</em></p><p>Crown - porcelain/ceramic</p>")
    assert (match.system, match.code) == ("HCPCS", "D2740")


def test_cdt_alone_stays_cdt():
    match = _detect("<h1>CDT code D2740</h1><p>Crown - porcelain/ceramic</p>")
    assert (match.system, match.code) == ("CDT", "D2740")
