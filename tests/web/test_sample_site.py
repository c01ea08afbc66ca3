"""`serve_sample`: a folder of saved pages becomes a crawlable site; a recrawl is answered by 304s."""

from __future__ import annotations

import gzip

import httpx
import pytest

from extract.rawpage import RawPage
from extract.raw_store import RawStore, from_cache
from extract.sample_site import serve_sample
from extract.web import crawl
from medcodes.settings import Settings


@pytest.fixture
def sample(tmp_path):
    pages = tmp_path / "pages"
    (pages / "icd10cm").mkdir(parents=True)
    (pages / "cpt_62310.txt").write_text("CPT 62310\nEpidural injection\n")
    (pages / "hcpcs_J1100.html").write_text("<html><title>J1100</title><body>Dexamethasone</body></html>")
    (pages / "icd10cm" / "S72.001A.html").write_text("<html><title>S72.001A</title></html>")
    (pages / "notes.md").write_text("not a page")
    server = serve_sample(pages)
    yield server, pages
    server.stop()


def test_site_layout(sample):
    server, pages = sample
    robots = httpx.get(server.url + "/robots.txt").text
    assert f"Sitemap: {server.url}/sitemap_index.xml.gz" in robots and "Disallow: /private/" in robots
    index = gzip.decompress(httpx.get(server.url + "/sitemap_index.xml.gz").content).decode()
    assert all(f"{server.url}/sitemaps/{s}.xml" in index for s in ("cpt", "hcpcs", "icd10cm"))
    text = httpx.get(server.url + "/pages/cpt_62310.txt")
    assert text.headers["content-type"].startswith("text/plain") and text.content == (pages / "cpt_62310.txt").read_bytes()
    again = httpx.get(server.url + "/pages/cpt_62310.txt", headers={"If-None-Match": text.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(server.url + "/pages/notes.md").status_code == 404


def test_crawl_of_sample_site_then_recrawl_by_304(sample, tmp_path):
    server, pages = sample
    settings = Settings(out_dir=tmp_path / "out", requests_per_second=500.0)
    store = RawStore.for_settings(settings)
    first = [p for p in crawl([server.url + "/"], settings, store)]
    assert sorted(p.source_url.rsplit("/", 1)[-1] for p in first) == ["S72.001A.html", "cpt_62310.txt", "hcpcs_J1100.html"]
    assert all(isinstance(p, RawPage) and from_cache(p) is None for p in first)
    second = list(crawl([server.url + "/"], settings, store))
    assert len(second) == 3 and all(from_cache(p) == "revalidated" for p in second)
    assert {p.source_url: p.body for p in second} == {p.source_url: p.body for p in first}
