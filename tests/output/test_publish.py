"""publish_snapshot: complete snapshots only, atomic `latest`, one writer, retention, stable bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from snapshot_samples import sample_tables

import output.publish as publish
from medcodes.errors import OutputLocked
from medcodes.settings import Settings
from output.manifest import file_entry
from output.publish import (
    latest_snapshot, list_snapshots, publish_snapshot, read_snapshot_table, snapshot_id_for,
)
from schemas.tables import TABLES, arrow_schema
from schemas.validate import validate_table

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 5, 1, 9, 15, 0, 250000, tzinfo=timezone.utc)
DATA_FILES = {f"{t}.parquet" for t in TABLES} | {"codes.jsonl", "codes.schema.json", "NOTICE.txt"}


def _settings(tmp_path: Path, **extra) -> Settings:
    return Settings(out_dir=tmp_path / "data", **extra)


def _publish(settings: Settings, at: datetime = T0, **extra) -> Path:
    return publish_snapshot(settings, sample_tables(), created_at=at, sources=["sample/"], **extra)


def _python(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(Path(__file__).parent)])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_snapshot_id_sorts_like_time():
    assert snapshot_id_for(T0) == "20240501T091500250000Z"
    later = T0.astimezone(timezone(timedelta(hours=2))) + timedelta(microseconds=1)
    assert snapshot_id_for(later) == "20240501T091500250001Z"


def test_layout_manifest_and_relative_latest(tmp_path):
    settings = _settings(tmp_path)
    snapshot = _publish(settings, pages_seen=7)
    out = settings.out_dir
    assert snapshot == out / "snapshots" / "20240501T091500250000Z"
    assert os.readlink(out / "latest") == "snapshots/20240501T091500250000Z"
    assert latest_snapshot(out) == snapshot.resolve()
    assert {p.name for p in snapshot.iterdir()} == DATA_FILES | {"manifest.json"}
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["previous_snapshot_id"] is None and manifest["run_stats"]["pages_seen"] == 7
    assert {f["name"] for f in manifest["files"]} == DATA_FILES
    for entry in manifest["files"]:
        assert entry == file_entry(snapshot / entry["name"], entry["rows"]).__dict__
    assert {f["name"]: f["rows"] for f in manifest["files"]}["codes.jsonl"] == 5
    assert "American Medical Association" in (snapshot / "NOTICE.txt").read_text()


def test_published_tables_read_back_everywhere_with_exact_types(tmp_path):
    settings = _settings(tmp_path)
    tables = sample_tables()
    tables["changes"] = tables["changes"].assign(changed_fields=[[] for _ in range(5)])  # all empty
    publish_snapshot(settings, tables, created_at=T0)
    latest = settings.out_dir / "latest"
    con = duckdb.connect()
    for table in TABLES:
        path = latest / f"{table}.parquet"
        assert pq.read_schema(path).equals(arrow_schema(table), check_metadata=False)
        validate_table(table, read_snapshot_table(latest, table))
        validate_table(table, pd.read_parquet(path))
        validate_table(table, pq.read_table(path).to_pandas())
        assert con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0] == len(tables[table])
    assert pq.read_schema(latest / "changes.parquet").field("changed_fields").type == pa.list_(pa.string())
    described = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM '{latest / 'sections.parquet'}'").fetchall()}
    assert described["ordinal"] == "INTEGER" and described["items"] == "VARCHAR[]"
    codes = con.execute(f"SELECT code_system, code FROM '{latest / 'codes.parquet'}'").fetchall()
    assert codes == sorted(codes)  # stored in contract order


def test_second_publish_swaps_latest_and_links_lineage(tmp_path):
    settings = _settings(tmp_path)
    first = _publish(settings)
    second = _publish(settings, T0 + timedelta(hours=1))
    assert latest_snapshot(settings.out_dir) == second.resolve()
    assert json.loads((second / "manifest.json").read_text())["previous_snapshot_id"] == first.name
    assert list_snapshots(settings.out_dir) == [first, second]


def test_exception_mid_publish_keeps_latest_and_leaves_no_staging(tmp_path, monkeypatch):
    settings = _settings(tmp_path)
    good = _publish(settings)
    real_write = publish.write_parquet
    written = []

    def write_then_fail(*args, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        written.append(real_write(*args, **kwargs))
        return written[-1]

    monkeypatch.setattr(publish, "write_parquet", write_then_fail)
    with pytest.raises(OSError, match="No space left"):
        _publish(settings, T0 + timedelta(hours=1))
    assert written == [5]  # the failure came after a file was really written
    assert latest_snapshot(settings.out_dir) == good.resolve()
    assert list(settings.snapshots_dir.iterdir()) == [good]


def test_killed_publish_keeps_latest_and_next_run_cleans_up(tmp_path):
    settings = _settings(tmp_path)
    good = _publish(settings)
    proc = _python(f"""
        import os
        import output.publish as publish
        from medcodes.settings import Settings
        from snapshot_samples import sample_tables
        real = publish.write_parquet
        def write_then_die(*args, **kwargs):
            real(*args, **kwargs)
            os._exit(9)  # like SIGKILL: no cleanup, no finally blocks
        publish.write_parquet = write_then_die
        publish.publish_snapshot(Settings(out_dir={str(settings.out_dir)!r}), sample_tables())
    """)
    assert proc.wait() == 9
    leftovers = [p.name for p in settings.snapshots_dir.iterdir() if p.name.startswith(".staging-")]
    assert len(leftovers) == 1  # the killed run's half-written snapshot, invisible to readers
    assert latest_snapshot(settings.out_dir) == good.resolve()
    assert {p.name for p in list_snapshots(settings.out_dir)} == {good.name}
    newer = _publish(settings, datetime.now(timezone.utc) + timedelta(days=1))
    assert sorted(p.name for p in settings.snapshots_dir.iterdir()) == [good.name, newer.name]


def test_lock_refuses_a_second_publisher(tmp_path):
    settings = _settings(tmp_path)
    holder = _python(f"""
        import sys
        from pathlib import Path
        from output.lock import output_lock
        with output_lock(Path({str(settings.out_dir)!r})):
            print("locked", flush=True)
            sys.stdin.read()  # hold until the test closes our stdin
    """)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputLocked, match=f"pid {holder.pid}"):
            _publish(settings)
        assert latest_snapshot(settings.out_dir) is None
    finally:
        holder.stdin.close()
        holder.wait()
    assert _publish(settings).is_dir()  # released when the holder ended


def test_retention_keeps_the_newest(tmp_path):
    settings = _settings(tmp_path, keep_snapshots=2)
    published = [_publish(settings, T0 + timedelta(minutes=n)) for n in range(4)]
    assert list_snapshots(settings.out_dir) == published[2:]
    assert latest_snapshot(settings.out_dir) == published[3].resolve()


def test_retention_never_deletes_what_latest_points_at(tmp_path):
    settings = _settings(tmp_path, keep_snapshots=1)
    newer = _publish(settings, T0 + timedelta(days=1))
    older = _publish(settings, T0)  # published last, so latest points at it
    assert latest_snapshot(settings.out_dir) == older.resolve()
    assert list_snapshots(settings.out_dir) == [older, newer]


def test_same_input_same_bytes(tmp_path):
    first = _publish(Settings(out_dir=tmp_path / "a"))
    shuffled = {name: frame.iloc[::-1] for name, frame in sample_tables().items()}
    second = publish_snapshot(Settings(out_dir=tmp_path / "b"), shuffled, created_at=T0, sources=["sample/"])
    for name in sorted(DATA_FILES | {"manifest.json"}):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_invalid_table_is_not_published(tmp_path):
    settings = _settings(tmp_path)
    tables = sample_tables()
    tables["sections"].loc[0, "ordinal"] = -1
    with pytest.raises(Exception, match="ordinal_negative"):
        publish_snapshot(settings, tables, created_at=T0)
    assert latest_snapshot(settings.out_dir) is None and list_snapshots(settings.out_dir) == []
