"""The real `medcodes` console script, as a user runs it: exit status, stderr, `latest`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from medcodes.sample import sample_pages_dir

MEDCODES = shutil.which("medcodes")


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [MEDCODES] if MEDCODES else [sys.executable, "-m", "medcodes"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def test_bad_source_exits_non_zero_with_reason_and_no_output(tmp_path):
    done = run_cli("run", "does-not-exist.html", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "no such file or directory: 'does-not-exist.html'" in done.stderr
    assert not (tmp_path / "out" / "latest").exists()


def test_invalid_option_exits_non_zero(tmp_path):
    done = run_cli("run", "--max-quarantine-share", "2", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and "max_quarantine_share" in done.stderr


def test_default_run_publishes_sample_then_gate_refusal_keeps_latest(tmp_path):
    done = run_cli("run", cwd=tmp_path)  # no SOURCE: the bundled sample, into ./data
    assert done.returncode == 0, done.stderr
    assert "published" in done.stdout and "quarantine: code_not_found" in done.stdout
    assert re.search(r"parse tasks \(batches\)\s*│\s*1\s*│", done.stdout)  # 41 pages: one batch of up to 500
    first = (tmp_path / "data" / "latest").resolve()
    assert (first / "manifest.json").exists()

    bad = tmp_path / "bad"
    shutil.copytree(sample_pages_dir() / "bad", bad)  # a corpus that is mostly quarantine
    refused = run_cli("run", str(bad), "--max-quarantine-share", "0.5", env={"MEDCODES_OUT_DIR": "data"},
                      cwd=tmp_path)
    assert refused.returncode == 1
    assert "not published" in refused.stderr and "ended in quarantine" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert (tmp_path / "data" / "latest").resolve() == first
    assert len(pd.read_parquet(first / "codes.parquet")) == 35


def test_a_workers_run_keeps_dask_quiet_on_stderr(tmp_path):
    """Without --verbose, a local cluster's news stays out of stderr: Dask's start-up and
    shut-down lines, and its large-graph warning, which every batch above 10 MB triggered
    (a batch carries its pages by design). Dask's warnings still show."""
    pages = tmp_path / "pages"
    pages.mkdir()
    seed = (sample_pages_dir() / "text" / "cpt_62310.txt").read_text(encoding="utf-8")
    for i in range(12):  # ~12 MB in one batch
        (pages / f"cpt_6231{i % 10}_{i}.html").write_text(
            f"<html><body><!-- {'x' * 1_000_000} --><pre>{seed}</pre></body></html>", encoding="utf-8")
    done = run_cli("run", str(pages), "--workers", "2", "--out", "out", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert "Sending large graph" not in done.stderr
    dask_info = [line for line in done.stderr.splitlines()
                 if "distributed." in line and ("| INFO" in line or " - INFO - " in line)]
    assert not dask_info, done.stderr[:2000]
