"""`medcodes export-warc`: the raw store of a real crawl written as a WARC that reads back."""

from __future__ import annotations

from typer.testing import CliRunner

from extract.rawpage import RawPage
from extract.warc import iter_warc_pages
from medcodes.cli import app
from test_warc_io import crawled_pages


def test_export_warc_command_writes_every_stored_page(site, make_settings, tmp_path):
    settings = make_settings()
    store, crawled = crawled_pages(site, settings)
    store.close()
    target = tmp_path / "medcodes.warc.gz"
    result = CliRunner().invoke(app, ["export-warc", str(target), "--out", str(settings.out_dir)])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(crawled)} pages" in result.output
    read = {p.source_url: p.body for p in iter_warc_pages(target) if isinstance(p, RawPage)}
    assert read == {url: page.body for url, page in crawled.items()}


def test_export_warc_without_a_store_says_so(tmp_path):
    result = CliRunner().invoke(app, ["export-warc", str(tmp_path / "x.warc"), "--out", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no raw page store" in result.output
