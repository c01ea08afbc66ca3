"""A killed run never leaves `DIR/latest` invalid, and the next run simply works.

Real `python -m medcodes run SOURCE --out DIR` processes are SIGKILLed (with their process
group) while reading, while parsing, as soon as a `.staging-*` folder appears, and at seeded
random moments. After each kill `latest` is absent (nothing published yet) or points at a
complete snapshot whose files match its manifest and whose tables pass the schemas. Re-runs
publish correctly, clean the leftovers and are not blocked by the dead run's lock; a second
run started while one holds the lock is refused with a clear message.

The source is the bundled sample plus 400 generated CPT pages (10000-10399), so a run lasts
long enough to be caught mid-parse and mid-publish. Subprocesses share the session's Prefect
test server (PREFECT_API_URL) instead of each starting one; there are 8 of them in all.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from medcodes.sample import sample_pages_dir
from output.manifest import read_manifest
from output.publish import latest_snapshot, list_snapshots, read_snapshot_table
from schemas.tables import TABLES
from schemas.validate import validate_table

REPO = Path(__file__).resolve().parents[1]
EXTRA_CODES = range(10000, 10400)
TEMPLATE = "html/hx/99203.html"  # code in the <h1> and file name only
SAMPLE_ROWS = 35


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crash") / "pages"
    shutil.copytree(sample_pages_dir(), root)
    template = (sample_pages_dir() / TEMPLATE).read_text(encoding="utf-8-sig")
    (root / "generated").mkdir()
    for code in EXTRA_CODES:
        (root / "generated" / f"{code}.html").write_text(template.replace("99203", str(code)), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def api_env(prefect_harness) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    # INFO: the task-run log lines are how the test sees a run reach each stage (the test
    # session itself sets WARNING, which `-v` does not override).
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "INFO"}


class Run:
    """One `medcodes run` subprocess, in its own process group, logging to files."""

    def __init__(self, source: Path, out: Path, env: dict[str, str], logs: Path, *extra: str) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.stdout_path, self.stderr_path = logs / "stdout", logs / "stderr"
        with open(self.stdout_path, "wb") as stdout, open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "medcodes", "run", str(source), "--out", str(out), "--batch-size", "20", "-v", *extra],
                cwd=REPO, env=env, stdout=stdout, stderr=stderr, start_new_session=True,
            )

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_until(self, condition: Callable[[], bool]) -> bool:
        """Poll `condition` as fast as possible until it holds (True) or the run ends (False)."""
        while self.proc.poll() is None:
            if condition():
                return True
            time.sleep(0.002)
        return condition()

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def finish(self) -> int:
        return self.proc.wait(timeout=600)


def _log_count(run: Run, marker: str, at_least: int = 1) -> Callable[[], bool]:
    return lambda: run.stderr.count(marker) >= at_least


def _staging_exists(out: Path) -> bool:
    try:
        return any(entry.name.startswith(".staging-") for entry in os.scandir(out / "snapshots"))
    except FileNotFoundError:
        return False


def assert_complete(snapshot: Path) -> None:
    """Files match the manifest (bytes, sha256) and every table re-validates with its schema."""
    manifest = read_manifest(snapshot)
    listed = {entry["name"] for entry in manifest["files"]}
    assert {f"{t}.parquet" for t in TABLES} | {"codes.jsonl"} <= listed
    for entry in manifest["files"]:
        data = (snapshot / entry["name"]).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"]), entry["name"]
    for table in TABLES:
        assert len(validate_table(table, read_snapshot_table(snapshot, table))) == manifest["row_counts"][table]


def assert_latest_sound(out: Path, published_before: set[str]) -> Path | None:
    """`latest` is absent only if nothing was ever published; otherwise a complete snapshot that
    is either the previous one or a newer one this run finished."""
    latest = latest_snapshot(out)
    if latest is None:
        assert not (out / "latest").is_symlink(), "latest is a dangling link"
        assert not published_before, "latest vanished although a snapshot was published"
        return None
    assert latest.parent == (out / "snapshots").resolve()
    assert_complete(latest)
    assert latest.name >= max(published_before, default="")
    return latest


def assert_no_leftovers(out: Path) -> None:
    assert not _staging_exists(out)
    assert not list(out.glob(".latest-*.tmp"))


def published_ids(out: Path) -> set[str]:
    return {p.name for p in list_snapshots(out)}


@pytest.fixture(scope="module")
def first_publish(source, api_env, tmp_path_factory) -> dict:
    """Kill a run while it reads; then a full run, paused (SIGSTOP) while holding the lock so a
    second run can try the same folder; then resumed to completion."""
    work = tmp_path_factory.mktemp("first")
    out = work / "data"
    killed = Run(source, out, api_env, work / "log-read")
    try:
        reached = killed.wait_until(_log_count(killed, "plan_sources"))
    finally:
        killed.kill()
    after_kill = (latest_snapshot(out), sorted(out.glob("snapshots/*")))

    holder = Run(source, out, api_env, work / "log-holder")
    try:
        holds = holder.wait_until(lambda: (out / ".lock").exists() and
                                  (out / ".lock").read_text().strip() == str(holder.proc.pid))
        os.kill(holder.proc.pid, signal.SIGSTOP)
        try:
            second = subprocess.run(
                [sys.executable, "-m", "medcodes", "run", str(source), "--out", str(out)],
                cwd=REPO, env=api_env, capture_output=True, text=True, timeout=600,
            )
        finally:
            os.kill(holder.proc.pid, signal.SIGCONT)
            resumed = time.monotonic()
        holder_rc = holder.finish()
        flow_seconds = time.monotonic() - resumed  # the lock is taken as the flow begins
    finally:
        holder.kill()
    return {"out": out, "reached_read": reached, "after_kill": after_kill, "held_lock": holds,
            "second": second, "holder_rc": holder_rc, "holder_stderr": holder.stderr,
            "flow_seconds": flow_seconds}


def test_kill_while_reading_leaves_no_latest(first_publish):
    assert first_publish["reached_read"], "the run ended before it started reading"
    assert first_publish["after_kill"][0] is None
    assert not [p for p in first_publish["after_kill"][1] if not p.name.startswith(".staging-")]


def test_second_run_on_a_locked_folder_is_refused_and_the_first_completes(first_publish):
    second = first_publish["second"]
    assert first_publish["held_lock"]
    assert second.returncode != 0
    assert "locked" in second.stderr and "not published" in second.stderr
    assert first_publish["holder_rc"] == 0, first_publish["holder_stderr"][-3000:]


def test_rerun_after_kill_publishes_every_page_and_cleans_up(first_publish):
    out = first_publish["out"]
    latest = assert_latest_sound(out, set())
    assert latest is not None and published_ids(out) == {latest.name}
    assert_no_leftovers(out)
    codes = read_snapshot_table(latest, "codes")
    generated = set(codes.loc[codes["code_system"] == "CPT", "code"])
    assert {str(c) for c in EXTRA_CODES} <= generated
    assert len(codes) == SAMPLE_ROWS + len(EXTRA_CODES)


def test_kills_mid_parse_mid_publish_and_at_random_keep_latest_valid(first_publish, source, api_env, tmp_path):
    out = first_publish["out"]
    first = latest_snapshot(out)
    assert first is not None, "needs the first publish"
    rng = random.Random(20240501)
    # Unchanged pages are carried over without parsing, so the kills aimed at parsing and
    # publishing use --reparse; one random kill (and the final run) takes the incremental path.
    # Random moments fall within the flow's span (after Prefect's start-up), as long as a full run's.
    span = first_publish["flow_seconds"]
    moments = [("parsing", None, "--reparse"), ("staging", None, "--reparse"),
               ("random", rng.uniform(0.0, span), "--reparse"), ("random", rng.uniform(0.0, span), "--no-reparse")]
    outcomes = []
    for index, (moment, delay, mode) in enumerate(moments):
        before = published_ids(out)
        run = Run(source, out, api_env, tmp_path / f"log-{index}-{moment}", mode)
        try:
            if moment == "parsing":
                hit = run.wait_until(_log_count(run, "parse_batch", at_least=5))
            elif moment == "staging":
                hit = run.wait_until(lambda: _staging_exists(out))
            else:
                run.wait_until(_log_count(run, "Beginning flow run"))
                began = time.monotonic()
                hit = run.wait_until(lambda: time.monotonic() - began >= delay)
        finally:
            run.kill()
        outcomes.append((moment, hit, run.stderr.strip().splitlines()[-1:]))  # where it died, for failures
        assert_latest_sound(out, before)
    assert all(hit for moment, hit, _ in outcomes if moment != "random"), outcomes

    final = Run(source, out, api_env, tmp_path / "log-final")
    assert final.finish() == 0, final.stderr[-3000:]
    latest = assert_latest_sound(out, published_ids(out))
    assert_no_leftovers(out)
    assert latest.name > first.name and read_manifest(latest)["row_counts"]["codes"] == SAMPLE_ROWS + len(EXTRA_CODES)
    assert read_snapshot_table(latest, "changes").empty  # same pages as the first publish: nothing changed
