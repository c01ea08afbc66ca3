"""`extract.html_tree` against BeautifulSoup itself (the semantics it promises), and its reused parser."""

from __future__ import annotations

import threading

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from extract.html_parser import _drop_chrome, _index
from extract.html_tree import DROPPED, build_tree, more_words_than, plain_text, text_of

_PAGE = """<html><head><title>T</title><script type="application/ld+json">{"a": 1}</script>
<style>p {}</style></head><body>
<h2 id="h">Risks</h2><p id="leaf">  Leaf text </p><p id="blank"> \n </p><p id="nbsp">\xa0</p>
<pre id="pre">  kept  \n</pre><textarea id="ta">  typed </textarea>
<template id="tpl"><b id="intpl">hidden</b></template><ruby>漢<rt id="rt">kan</rt></ruby>
<div id="mixed">One <b>two</b> <!-- c --> three<script>x()</script></div><p id="empty"></p>
</body></html>"""


@pytest.mark.parametrize("ident", ["h", "leaf", "blank", "nbsp", "pre", "ta", "tpl", "intpl", "rt", "mixed", "empty"])
@pytest.mark.parametrize("separator,strip", [("", False), (" ", False), (" ", True)])
def test_text_of_matches_bs4_get_text(ident: str, separator: str, strip: bool) -> None:
    soup = BeautifulSoup(_PAGE, "lxml")
    el = build_tree(_PAGE).xpath(f"//*[@id='{ident}']")[0]
    assert text_of(el, separator, strip) == soup.find(id=ident).get_text(separator, strip=strip)


def test_text_of_reads_a_scripts_own_string() -> None:
    soup = BeautifulSoup(_PAGE, "lxml")
    script = next(build_tree(_PAGE).iter("script"))
    assert text_of(script) == soup.find("script").get_text() == '{"a": 1}'


@pytest.mark.parametrize("ident", ["h", "leaf", "blank", "nbsp", "mixed", "empty"])
def test_plain_text_is_text_of_where_nothing_special_is_near(ident: str) -> None:
    el = build_tree(_PAGE.replace("<script>x()</script>", "")).xpath(f"//*[@id='{ident}']")[0]
    for separator, strip in [("", False), (" ", False), (" ", True)]:
        assert plain_text(el, separator, strip) == text_of(el, separator, strip)


def test_reused_parser_builds_each_page_afresh() -> None:
    assert build_tree("") is None
    with pytest.raises(UnicodeEncodeError):  # a failed feed must not leak into the next page
        build_tree("<p>half \ud800")
    first = build_tree("<p>one</p>")
    second = build_tree("<div>two</div>")
    assert etree.tostring(first) == b"<html><body><p>one</p></body></html>"
    assert etree.tostring(second) == b"<html><body><div>two</div></body></html>"


def test_parsers_are_per_thread() -> None:
    pages = [f"<html><body>{'<p>x</p>' * n}<h1>{n}</h1></body></html>" for n in range(40)]
    expected = [etree.tostring(build_tree(p)) for p in pages]
    results: dict[int, list[bytes]] = {}

    def work(k: int) -> None:
        results[k] = [etree.tostring(build_tree(p)) for p in pages * 5]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected * 5 for r in results.values())


def test_drop_chrome_judges_outer_boxes_first_and_stays_in_the_region() -> None:
    html = """<html><body><nav id="outside">Menu</nav><main id="region">
    <h1>Code 99213</h1>
    <aside id="side"><nav id="inner">Inner</nav><p>Recently viewed</p></aside>
    <aside id="related"><h3>Related Codes</h3><p>99214</p></aside>
    <article><header id="own">Article header</header><p>Body <script>x()</script>text</p></article>
    </main></body></html>"""
    root = build_tree(html)
    index = _index(root)
    region = root.xpath("//main")[0]
    _drop_chrome(region, next(root.iter("h1")), index.chrome)
    ids = {el.get("id"): el.tag for el in root.iter(etree.Element) if el.get("id")}
    assert ids["outside"] == "nav"  # outside the region: not this step's business
    assert ids["related"] == "aside"  # a chrome box naming a known section stays
    assert ids["own"] == "header"  # a section's own header is content
    assert "side" not in ids and "inner" not in ids  # the box went, and what it held with it
    assert [el.tag for el in region.iter(DROPPED)] == [DROPPED, DROPPED]  # the aside and the script
    assert text_of(region, " ", strip=True) == "Code 99213 Related Codes 99214 Article header Body text"


@pytest.mark.parametrize("ident", ["h", "leaf", "blank", "pre", "tpl", "intpl", "rt", "mixed", "empty"])
def test_more_words_than_counts_the_words_of_the_stripped_text(ident: str) -> None:
    el = build_tree(_PAGE).xpath(f"//*[@id='{ident}']")[0]
    words = len(text_of(el, " ", strip=True).split())
    assert [more_words_than(el, k) for k in range(5)] == [words > k for k in range(5)]


_INDEXED = """<html><head><title>First</title><title>Second</title><meta name="description" content="d">
<script type="application/ld+json">{}</script><script>x()</script><?php echo 1; ?></head><body>
<!-- a comment --><div class="site-header"><h1>Brand</h1><nav class="breadcrumb"><a href="/">Home</a></nav></div>
<main><article class="content"><h1>99213</h1><span itemprop="codeValue">99213</span>
<div role="navigation"><ul class="menu"><li><a href="/x">X</a></li></ul><form><input name="q"></form></div>
<section role="main"><aside><p lang="en">Side</p></aside></section></article></main>
<article><footer>Foot</footer></article><svg:rect></svg:rect></body></html>"""


def test_index_lists_what_a_plain_pass_over_every_element_finds() -> None:
    root = build_tree(_INDEXED)
    index = _index(root)
    elements = list(root.iter(etree.Element))
    chrome_names = {"script", "meta", "head", "nav", "form", "input", "aside", "footer", "header"}
    assert index.chrome == [el for el in elements if el.tag in chrome_names
                            or el.get("role") == "navigation" or el.get("class") in ("site-header", "breadcrumb", "menu")]
    assert index.content == [el for el in elements if el.tag in ("main", "article") or el.get("role") == "main"]
    assert [index.title.text, index.breadcrumb.get("class")] == ["First", "breadcrumb"]
    assert [el.tag for el in index.h1s] == ["h1", "h1"] and [el.get("name") for el in index.metas] == ["description"]
    assert [el.get("type") for el in index.scripts] == ["application/ld+json"]
    assert [el.get("itemprop") for el in index.itemprops] == ["codeValue"]


_UTF8_PAGE = ("<!doctype html><html><head><title>99213 – Office visit</title></head><body><main>"
              "<h1>CPT® 99213 — Office visit</h1><p>Naïve résumé, 24–48 hours.</p></main></body></html>")


@pytest.mark.parametrize("html", [_UTF8_PAGE, "\ufeff" + _UTF8_PAGE, "<p>one", "", "<div>" * 2100 + "deep"])
def test_utf8_bytes_build_the_tree_their_text_builds(html: str) -> None:
    from_text, from_bytes = build_tree(html), build_tree(html.encode("utf-8"))
    if from_text is None:
        assert from_bytes is None
    else:
        assert etree.tostring(from_bytes, encoding=str) == etree.tostring(from_text, encoding=str)
