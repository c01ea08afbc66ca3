"""HTML layouts real sites use: h2 sections, bold labels, dl, tables, accordions; chrome dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.decode import decode_bytes
from extract.document import CodeHint
from extract.html_parser import parse_html
from extract.html_tree import build_tree
from extract.html_walk import Line, Walker

FIXTURES = Path(__file__).parent / "parser_fixtures"


def _parse(name: str, url: str | None = None):
    return parse_html(decode_bytes((FIXTURES / name).read_bytes()), url)


def _by(page):
    return {s.heading: s for s in page.sections}


def _all_text(page) -> str:
    return "\n".join([*page.lead, *(s.heading + "\n" + s.text for s in page.sections)])


def test_heading_layout_sections_and_lists() -> None:
    page = _parse("headings_h2.html", "https://coderef.example/cpt/64483")
    assert [s.heading for s in page.sections] == [
        "Summary", "Indications", "3. Preparation", "What happens during the procedure", "How long it takes",
        "Where it's done", "Possible complications", "Clinical Notes", "Similar Codes"]
    by = _by(page)
    assert by["Summary"].paragraphs == [
        "A transforaminal epidural injection delivers medication near a spinal nerve root.",
        "It is guided by fluoroscopy or CT."]
    assert [(b.text, b.depth) for b in by["Indications"].blocks] == [
        ("Lumbar radicular pain", 0), ("Sciatica", 0), ("from disc herniation", 1),
        ("from foraminal stenosis", 1), ("Diagnostic nerve root block", 0)]
    assert by["What happens during the procedure"].items[2] == (
        "The needle is guided with fluoroscopy; contrast confirms placement.")
    # unknown sub-headings of a known section stay inside it, as lines
    assert [(b.kind, b.text) for b in by["Possible complications"].blocks] == [
        ("text", "Common"), ("item", "Temporary soreness"), ("item", "Headache"),
        ("text", "Rare"), ("item", "Infection"), ("item", "Nerve injury")]


def test_heading_layout_descriptor_lead_hints_and_links() -> None:
    page = _parse("headings_h2.html", "https://coderef.example/cpt/64483")
    assert page.descriptor == "CPT 64483"
    assert page.lead[0].startswith("Injection(s), anesthetic agent(s) and/or steroid; transforaminal")
    assert page.hints[0] == CodeHint("h1", "CPT 64483")
    wheres = [h.where for h in page.hints]
    assert wheres.index("title") < wheres.index("breadcrumb") < wheres.index("meta:description")
    assert [h.text for h in page.hints if h.where == "breadcrumb"] == ["Home", "CPT", "Nervous System", "64483"]
    assert CodeHint("meta:code-system", "CPT") in page.hints
    assert CodeHint("meta:og:title", "CPT 64483") in page.hints
    assert any(h.where == "jsonld" and "codeValue=64483" in h.text and "codingSystem=CPT" in h.text
               for h in page.hints)
    assert CodeHint("label", "CPT4 code") in page.hints
    assert page.related_links == [
        ("64484", "https://coderef.example/cpt/64484", "Each additional level"),
        ("64480", "https://coderef.example/cpt/64480", None)]


def test_chrome_scripts_and_comments_are_dropped() -> None:
    text = _all_text(_parse("headings_h2.html"))
    for junk in ("cookies", "Accept", "Search codes", "Tweet", "Advertisement", "Popular CPT codes",
                 "99214", "Back pain basics", "Last reviewed", "registered trademark", "Privacy",
                 "Enable JavaScript", "Hidden template", "Commented heading", "dataLayer", "navy"):
        assert junk not in text, junk


def test_bold_labels_br_lines_and_markers() -> None:
    page = _parse("bold_labels.html")
    by = _by(page)
    assert list(by) == ["Name of the Procedure", "Summary", "Purpose", "Indications", "Preparation",
                        "Procedure Description", "Duration", "Setting", "Risks and Complications",
                        "Benefits", "Recovery", "Patient Experience"]
    assert by["Name of the Procedure"].text == "Methylprednisolone acetate injection"
    assert by["Summary"].text == "A corticosteroid injected into a muscle or joint to reduce inflammation."
    assert by["Purpose"].text == "To reduce inflammation and swelling. Note: dose is billed per 40 mg."
    assert by["Indications"].items == ["Rheumatoid arthritis", "Bursitis", "Severe allergic reactions"]
    assert by["Preparation"].items == ["Tell your provider about infections.", "Bring a list of medications.",
                                       "Eat normally."]
    assert by["Procedure Description"].items == ["The site is cleaned.", "The drug is injected.",
                                                 "A bandage is applied."]
    assert by["Duration"].text == "5 to 10 minutes"
    assert by["Setting"].text == "Physician office"
    assert by["Risks and Complications"].paragraphs == [
        "Common: pain at the injection site, flushing", "Rare: infection, tendon rupture",
        "Important — call your doctor if swelling grows."]
    assert by["Benefits"].items == ["Fast relief", "Fewer flare-ups"]
    assert by["Recovery"].items == ["Rest the area for a day.", "Apply ice if sore."]
    assert "better within days" in by["Patient Experience"].text  # bold inside a sentence is not a label
    assert page.lead == ["HCPCS Level II code"]
    assert CodeHint("label", "HCPCS Level II code") in page.hints


def test_definition_lists() -> None:
    page = _parse("dl_layout.html")
    by = _by(page)
    assert list(by) == ["Summary", "Personnel", "Duration", "Billing Tips", "Glossary"]
    assert by["Personnel"].items == ["Physician", "Nurse practitioner", "Medical assistant"]
    assert by["Duration"].text == "Typically 20 to 29 minutes of total time."
    assert by["Glossary"].paragraphs == ["MDM", "Medical decision making"]  # a dl naming no section
    assert page.descriptor == "99213" and page.lead[0].startswith("Office or other outpatient visit")


def test_two_column_tables_and_data_tables() -> None:
    page = _parse("table_layout.html", "https://codes.example/cpt/20610")
    by = _by(page)
    assert list(by)[:4] == ["Summary", "Benefits", "Recovery", "Alternatives"]
    assert by["Benefits"].items == ["Pain relief", "Diagnosis of joint fluid"]
    assert by["Recovery"].paragraphs == ["Rest the joint for 24 hours.", "Resume activity gradually."]
    assert by["Alternatives"].items == ["Oral NSAIDs", "Physical therapy"]
    assert by["Related codes"].items == ["20611 | with ultrasound guidance", "20605 | intermediate joint"]
    assert [link[:2] for link in page.related_links] == [
        ("20611", "https://codes.example/cpt/20611"), ("20605", "https://codes.example/cpt/20605")]
    # an h2 subtitle right under the h1 is the descriptor's continuation, not a section
    assert page.lead == ["Arthrocentesis, aspiration and/or injection, major joint or bursa; without ultrasound guidance"]
    assert "20600" not in _all_text(page)  # sidebar


def test_accordions_cards_details_and_data_section() -> None:
    page = _parse("accordion.html")
    by = _by(page)
    assert list(by) == ["Overview", "Why it’s done", "Getting ready", "Healthcare team", "Recovery and aftercare",
                        "Other options", "Time required", "Related procedures"]
    assert by["Why it’s done"].items == ["Severe osteoarthritis", "Hip fracture"]  # hidden panels are content
    assert by["Recovery and aftercare"].paragraphs == ["Hospital stay of 1 to 3 days.",
                                                       "Physical therapy for several weeks."]
    assert by["Time required"].text == "Usually 1 to 2 hours."
    assert "Copy code" not in _all_text(page)
    assert page.related_links == [("0SR90JA", "/pcs/0SR90JA", None)]
    assert page.descriptor == "0SR90J9"
    assert page.lead[0].startswith("Replacement of Right Hip Joint")
    assert CodeHint("label", "ICD-10-PCS") in page.hints


def test_icd10cm_page_subtitle_and_unknown_sections() -> None:
    page = _parse("icd10cm.html")
    assert page.descriptor == "ICD-10-CM Diagnosis Code E11.65"
    assert page.lead[:2] == ["Type 2 diabetes mellitus with hyperglycemia", "Billable/Specific Code"]
    assert [s.heading for s in page.sections] == [
        "Clinical Information", "Approximate Synonyms", "Code History", "Related codes"]
    assert [h.text for h in page.hints if h.where == "breadcrumb"] == ["ICD-10-CM Codes", "E00-E89", "E08-E13", "E11.65"]
    assert [link[0] for link in page.related_links] == ["E11.649", "E11.69"]
    assert "ICD Lookup" not in _all_text(page)


def test_hostile_markup() -> None:
    page = _parse("hostile.html")
    by = _by(page)
    assert list(by) == ["Summary", "Indications", "Recovery", "Benefits"]
    assert by["Indications"].items == ["first", "second"]
    assert by["Recovery"].text == "Deeply nested recovery note."
    assert by["Benefits"].text == "<script>alert(1)</script> is shown as text."
    text = _all_text(page)
    for junk in ("injected", "commented out", "iframe fallback", "SVG TEXT", "document.title"):
        assert junk not in text


def test_encodings_and_invisible_characters() -> None:
    cp = _parse("windows1252_meta.html")
    assert _by(cp)["Summary"].text == "Removal of dead tissue — the surgeon’s “clean-up” of a wound; café naïve."
    assert [s.heading for s in cp.sections] == ["Summary", "Risks & Complications"]
    bom = _parse("bom_utf8.html")
    assert bom.descriptor == "A4253 – Blood glucose test strips"
    assert _by(bom)["Summary"].text.endswith("— µL samples.")
    zw = _parse("zero_width.html")
    assert [s.heading for s in zw.sections] == ["Summary", "Indications", "Mojibake"]
    assert zw.lead == ["Unspecified asthma, uncomplicated"]
    assert _by(zw)["Indications"].items == ["Wheezing", "Shortness of breath"]
    assert _by(zw)["Mojibake"].text == "It doesn’t hurt."


def test_pages_without_h1_or_structure() -> None:
    page = parse_html("<html><body><h2>99211 Office visit</h2><p>Minimal visit.</p>"
                      "<h2>Summary</h2><p>Short.</p></body></html>")
    assert page.descriptor == "99211 Office visit" and [s.heading for s in page.sections] == ["Summary"]
    plain = parse_html("<div>Summary</div><div>Plain lines.</div><div>Duration: 5 minutes</div>")
    assert [(s.heading, s.text) for s in plain.sections] == [("Summary", "Plain lines."), ("Duration", "5 minutes")]
    assert parse_html("").sections == [] and parse_html("<html></html>").descriptor is None


def test_unknown_headings_are_kept() -> None:
    page = parse_html("<h1>X</h1><h2>Summary</h2><p>a</p><h2>Coding Tips</h2><p>b</p>")
    assert [(s.heading, s.text) for s in page.sections] == [("Summary", "a"), ("Coding Tips", "b")]


# --- the walker's lines for list items: a leaf `<li>` (read directly, without walking it) gives
# the line the walk of the same item wrapped in an inline tag gives.
_ITEMS = ["Bruising", "  Pain\nat the   site ", " ", "\n\t", "\xa0", "caf&eacute; &amp;nbsp;x", "\u200bZero width",
          "Donâ€™t drive", ""]


def _walked(body: str) -> list:
    root = build_tree(f"<html><body><main>{body}</main></body></html>")
    walker = Walker(None, None)
    walker.walk_region(next(root.iter("main")))
    return walker.events


def _line_fields(events: list) -> list[tuple]:
    return [(e.text, e.kind, e.depth, e.label, e.rest, e.links, e.row, e.style) for e in events]


@pytest.mark.parametrize("special", ["", "<pre>kept</pre>"])  # (`pre` in the region: strings read with context)
def test_leaf_items_read_as_walked_items(special: str) -> None:
    leaf = "".join(f"<li>{t}</li>" for t in _ITEMS)
    wrapped = "".join(f"<li><span>{t}</span></li>" for t in _ITEMS)
    leaf_events = _walked(f"{special}<ul>{leaf}<li>Outer<ul>{leaf}</ul></li></ul>")
    wrapped_events = _walked(f"{special}<ul>{wrapped}<li>Outer<ul>{wrapped}</ul></li></ul>")
    assert _line_fields(leaf_events) == _line_fields(wrapped_events)
    items = [(e.text, e.depth) for e in leaf_events if isinstance(e, Line) and e.kind == "item"]
    assert items[:5] == [("Bruising", 0), ("Pain at the site", 0), ("café x", 0), ("Zero width", 0),
                         ("Don’t drive", 0)]
    assert ("Outer", 0) in items and ("Bruising", 1) in items and len(items) == 11


def test_a_leaf_item_ends_the_line_before_it() -> None:
    events = _walked("<ul>Loose text<li>First</li></ul><p>After</p>")
    assert [(e.text, e.kind) for e in events] == [("Loose text", "text"), ("First", "item"), ("After", "text")]
