"""Incremental refresh through the real flow: reuse of unchanged pages, exact changes,
removal only on evidence, stale rows kept when a page fails transiently."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from flows.refresh import refresh
from medcodes import dataset
from medcodes.sample import sample_pages_dir

FAST_FETCH = {"read_timeout": 0.5, "connect_timeout": 1.0, "max_retries": 0, "requests_per_second": 100.0,
              "backoff_base": 0.0}


def latest(out: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(out / "latest" / f"{table}.parquet")


@pytest.fixture()
def clean_site(tmp_path: Path) -> Path:
    """The sample's good pages only (no duplicate/invalid pages, whose outcome depends on others)."""
    site = tmp_path / "site"
    shutil.copytree(sample_pages_dir(), site, ignore=shutil.ignore_patterns("bad"))
    return site


def test_unchanged_input_parses_nothing_and_changes_nothing(prefect_harness, clean_site, tmp_path):
    out = tmp_path / "out"
    first = refresh(sources=[str(clean_site)], out_dir=str(out))
    codes_first = latest(out, "codes")
    second = refresh(sources=[str(clean_site)], out_dir=str(out))
    assert second["pages_reused"] == second["pages"] == first["pages"]
    assert second["changes"] == {} and len(latest(out, "changes")) == 0
    pd.testing.assert_frame_equal(latest(out, "codes"), codes_first)
    assert second["previous_snapshot_id"] == first["snapshot_id"]


def test_reparse_option_parses_everything_again(prefect_harness, clean_site, tmp_path):
    out = tmp_path / "out"
    refresh(sources=[str(clean_site)], out_dir=str(out))
    again = refresh(sources=[str(clean_site)], out_dir=str(out), options={"reparse": True})
    assert again["pages_reused"] == 0 and again["changes"] == {}


def test_files_unchanged_since_the_last_run_are_not_read_again(prefect_harness, clean_site, tmp_path):
    """Through the flow: the file-hash cache spares reading unchanged files; an edit that keeps
    the size and puts the modification time back is still parsed (its change time moved)."""
    out = tmp_path / "out"
    time.sleep(2.1)  # files changed within RACY_MARGIN_NS of being hashed are not remembered
    first = refresh(sources=[str(clean_site)], out_dir=str(out))
    assert first["files_unread"] == 0 and (out / "raw" / "file_hashes.parquet").exists()
    second = refresh(sources=[str(clean_site)], out_dir=str(out))
    assert second["files_unread"] == second["pages_reused"] == first["pages"]

    seed = clean_site / "text" / "cpt_62310.txt"
    before = seed.stat()
    seed.write_text(seed.read_text(encoding="utf-8").replace("about 30 minutes to 1 hour", "about 40 minutes to 1 hour"),
                    encoding="utf-8")
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (seed.stat().st_size, seed.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    third = refresh(sources=[str(clean_site)], out_dir=str(out))
    assert third["files_unread"] == third["pages_reused"] == first["pages"] - 1
    assert third["changes"] == {"modified": 1}
    assert latest(out, "codes").set_index("code").loc["62310", "duration_min_minutes"] == 40

    rehashed = refresh(sources=[str(clean_site)], out_dir=str(out), options={"rehash": True})
    assert rehashed["files_unread"] == 0 and rehashed["pages_reused"] == first["pages"]
    assert rehashed["changes"] == {}


def test_edit_add_delete_give_exactly_those_changes(prefect_harness, clean_site, tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "CODES_PER_SLICE", 4)  # tables and changes sorted in many slices
    out = tmp_path / "out"
    refresh(sources=[str(clean_site)], out_dir=str(out))
    seed = clean_site / "text" / "cpt_62310.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("about 30 minutes to 1 hour", "about 45 minutes"),
                    encoding="utf-8")
    added = clean_site / "text" / "cpt_62311.txt"
    added.write_bytes(seed.read_bytes())
    deleted = next((clean_site / "html").rglob("*.html"))
    deleted_code = set(latest(out, "codes").query("source_url == @deleted.resolve().as_uri()")["code"])
    deleted.unlink()

    summary = refresh(sources=[str(clean_site)], out_dir=str(out))
    changes = latest(out, "changes").set_index("code")
    assert summary["changes"] == {"added": 1, "modified": 1, "removed": 1}
    assert changes.loc["62311", "change"] == "added"
    assert changes.loc["62310", "change"] == "modified"
    assert sorted(changes.loc["62310", "changed_fields"]) == ["duration", "duration_max_minutes",
                                                               "duration_min_minutes"]
    assert changes.loc[deleted_code.pop(), "change"] == "removed"


class _Site:
    """A tiny real site whose pages the test edits, slows down or deletes between runs."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = dict(pages)
        self.slow: set[str] = set()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?")[0]
                if path in site.slow:
                    time.sleep(1.5)
                body = site.pages.get(path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_transient_failure_keeps_row_as_stale_and_404_removes(prefect_harness, tmp_path):
    text = (sample_pages_dir() / "text" / "cpt_62310.txt").read_bytes()
    pages = {f"/cpt/{code}.txt": text for code in ("62310", "62311", "62312")}
    site = _Site(pages)
    sources = [site.url + path for path in sorted(pages)]
    out = tmp_path / "out"
    try:
        refresh(sources=sources, out_dir=str(out), options=FAST_FETCH)
        site.slow.add("/cpt/62311.txt")  # times out on the next run
        del site.pages["/cpt/62312.txt"]  # answers 404 on the next run
        summary = refresh(sources=sources, out_dir=str(out), options={**FAST_FETCH, "max_quarantine_share": 1.0})
    finally:
        site.close()
    codes = latest(out, "codes")
    assert sorted(codes["code"]) == ["62310", "62311"]
    assert summary["stale_codes"] == 1
    changes = latest(out, "changes")
    assert changes[["code", "change"]].values.tolist() == [["62312", "removed"]]
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["stale_codes"] == [{"code_system": "CPT", "code": "62311"}]
    reasons = set(latest(out, "quarantine")["reason"])
    assert {"timeout", "http_404"} <= reasons


def test_a_carried_page_loses_its_code_to_a_new_richer_page(prefect_harness, clean_site, tmp_path):
    out = tmp_path / "out"
    seed = clean_site / "text" / "cpt_62310.txt"
    full = seed.read_text(encoding="utf-8")
    seed.write_text(full.split("Preparation")[0], encoding="utf-8")  # a thin page for 62310
    refresh(sources=[str(clean_site)], out_dir=str(out))
    richer = clean_site / "text" / "cpt_62310_full.txt"
    richer.write_text(full, encoding="utf-8")

    summary = refresh(sources=[str(clean_site)], out_dir=str(out))
    assert summary["pages_reused"] == summary["pages"] - 1  # the thin page was carried, not parsed
    codes = latest(out, "codes").set_index("code")
    assert codes.loc["62310", "source_url"] == richer.resolve().as_uri()
    duplicate = latest(out, "quarantine").query("reason == 'duplicate_code'")
    assert duplicate["source_url"].tolist() == [seed.resolve().as_uri()]
    assert latest(out, "changes").set_index("code").loc["62310", "change"] == "modified"
    assert len(latest(out, "sections").query("code == '62310'")) == 15  # the richer page's sections only
