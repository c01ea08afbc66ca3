"""`medcodes load` through Typer: what it prints, and its exit status and stderr on failure."""

from __future__ import annotations

import socket

import pytest
import typer
from typer.testing import CliRunner

from medcodes.cli_load import register
from output.db.engine import is_transient
from output.db.loader import DatabaseUnavailable, load_snapshot


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """A stand-in for medcodes.cli.app, which registers `load` the same way."""

    register(app)
    return app


def invoke(app, *args: str):
    return CliRunner().invoke(app, ["load", *args])


def test_load_defaults_to_latest_and_prints_changes(app, snapshots, tmp_path):
    db = str(tmp_path / "m.duckdb")  # a .duckdb path means DuckDB
    first = invoke(app, "--db", db, "--out", str(snapshots.out_dir), "--snapshot", snapshots.paths[0].name)
    assert first.exit_code == 0, first.output
    assert f"now holds snapshot {snapshots.paths[0].name} (first load)" in first.stdout

    latest = invoke(app, "--db", db, "--out", str(snapshots.out_dir))
    assert latest.exit_code == 0, latest.output
    assert f"now holds snapshot {snapshots.paths[2].name} (previously {snapshots.paths[0].name})" in latest.stdout
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in latest.stdout.splitlines() if line.count("│") == 5]
    rows = {row[0]: row[1:] for row in cells}
    assert rows == {"codes": ["1", "2", "0"], "sections": ["7", "0", "3"], "related_codes": ["3", "0", "1"]}


def test_unknown_snapshot_exits_non_zero_with_reason(app, snapshots, tmp_path):
    result = invoke(app, "--db", str(tmp_path / "m.sqlite"), "--out", str(snapshots.out_dir), "--snapshot", "nope")
    assert result.exit_code == 1
    assert "no published snapshot 'nope'" in result.stderr


def test_empty_output_folder_exits_non_zero(app, tmp_path):
    result = invoke(app, "--db", str(tmp_path / "m.sqlite"), "--out", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "run `medcodes run` first" in result.stderr


def test_older_snapshot_refused_then_allowed(app, snapshots, tmp_path):
    db = f"sqlite:///{tmp_path / 'm.sqlite'}"
    assert invoke(app, "--db", db, "--out", str(snapshots.out_dir)).exit_code == 0
    older = ["--db", db, "--out", str(snapshots.out_dir), "--snapshot", snapshots.paths[1].name]
    refused = invoke(app, *older)
    assert refused.exit_code == 1 and "older than" in refused.stderr
    assert invoke(app, *older, "--allow-older").exit_code == 0


def test_unsupported_url_exits_non_zero(app, snapshots):
    result = invoke(app, "--db", "mysql://localhost/medcodes", "--out", str(snapshots.out_dir))
    assert result.exit_code == 1 and "unsupported database URL scheme 'mysql'" in result.stderr


def test_unreachable_postgres_is_a_transient_failure(snapshots):
    pytest.importorskip("psycopg")
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DatabaseUnavailable, match="postgresql") as caught:
        load_snapshot(f"postgresql://medcodes@127.0.0.1:{port}/medcodes", snapshots.paths[0])
    assert is_transient(caught.value.__cause__)
