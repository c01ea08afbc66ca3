"""`detect_code` stops reading once the best-ranked places settle the answer: the answer must be
the one reading every place gives, and places that can still change it must be read."""

from __future__ import annotations

from extract.document import CodeHint, ParsedPage
from transform.code_detect import collect_evidence, detect_code


def _page(*hints: tuple[str, str], descriptor: str | None = None) -> ParsedPage:
    return ParsedPage(descriptor=descriptor, hints=[CodeHint(w, t) for w, t in hints])


def test_jsonld_pair_settles_before_lower_places():
    parsed = _page(("lead", "CPT 99215 office visit"), ("jsonld", '{"codeValue": "99213", "codingSystem": "CPT"}'))
    match = detect_code(parsed, "https://example.org/cpt/99214")
    assert (match.system, match.code, match.system_source, match.code_source) == ("CPT", "99213", "jsonld", "jsonld")


def test_code_without_system_waits_for_a_lower_place():
    parsed = _page(("jsonld", '{"codeValue": "E11.65"}'), ("breadcrumb", "ICD-10-CM"), ("breadcrumb", "E11"))
    match = detect_code(parsed, "https://example.org/x")
    assert (match.system, match.code, match.system_source, match.code_source) == ("ICD-10-CM", "E11.65", "breadcrumb", "jsonld")


def test_best_system_without_a_fitting_code_reads_on():
    # the h1 names CPT with no code; the code comes from the URL, which is read last
    match = detect_code(_page(("h1", "CPT code lookup")), "https://example.org/cpt/99213")
    assert (match.system, match.code, match.code_source) == ("CPT", "99213", "url")


def test_collect_evidence_keeps_page_order_within_a_rank():
    parsed = _page(("title", "CPT 99213 visit"), ("meta:description", "HCPCS G0439 visit"),
                   descriptor="99213 Office visit")
    wheres = [(e.where, e.system, e.code) for e in collect_evidence(parsed, "https://example.org/x")]
    assert wheres == [("descriptor", None, "99213"), ("title", "CPT", "99213"), ("meta:text", "HCPCS", "G0439")]
