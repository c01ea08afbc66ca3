"""`medcodes snapshots | diff | show | validate` through Typer's runner on an app built with
`medcodes.cli_history.register`, plus one check of the real console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "output"))  # the shared hand-made tables
from snapshot_samples import FETCHED, codes_frame, sample_tables  # noqa: E402

from medcodes.cli_history import register  # noqa: E402
from medcodes.settings import Settings  # noqa: E402
from output.changes import compute_changes  # noqa: E402
from output.publish import publish_snapshot  # noqa: E402


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def group() -> None:
        """A callback makes the app a group, so subcommands are named as in `medcodes`."""

    register(app)
    return app


APP = _app()
runner = CliRunner()


def _invoke(*args: str, env: dict | None = None):
    return runner.invoke(APP, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, list[str]]:
    """Two snapshots: the sample codes, then 99213 retitled (with text that looks like rich
    markup, which must print as is) and J1100 gone."""
    out = tmp_path_factory.mktemp("cli") / "data"
    settings = Settings(out_dir=out)
    first = codes_frame()
    second = first[first["code"] != "J1100"].copy()
    second.loc[second["code"] == "99213", "title"] = "Office visit, established patient [/b]"
    ids = []
    for day, (codes, previous) in enumerate([(first, None), (second, first)]):
        tables = {**sample_tables(), "codes": codes, "changes": compute_changes(previous, codes)}
        snapshot = publish_snapshot(settings, tables, created_at=FETCHED + timedelta(days=day))
        ids.append(snapshot.name)
    return out, ids


def test_snapshots_lists_newest_first_and_marks_latest(published):
    out, (old, new) = published
    result = _invoke("snapshots", "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    new_line = next(line for line in lines if new in line)
    old_line = next(line for line in lines if old in line)
    assert lines.index(new_line) < lines.index(old_line)
    assert new_line.split()[0] == "*" and old_line.split()[0] == old
    assert new_line.split()[5] == "0/1/1"  # added/modified/removed


def test_snapshots_json_and_env_default(published):
    out, ids = published
    result = _invoke("snapshots", "--json", env={"MEDCODES_OUT_DIR": str(out)})
    rows = json.loads(result.stdout)
    assert [r["snapshot_id"] for r in rows] == ids[::-1]
    assert rows[0]["is_latest"] and rows[0]["change_counts"] == {"modified": 1, "removed": 1}


def test_snapshots_with_nothing_published_fails_clearly(tmp_path):
    result = _invoke("snapshots", "--out", str(tmp_path))
    assert result.exit_code == 1 and "run `medcodes run` first" in result.stderr


def test_diff_json(published):
    out, (old, new) = published
    result = _invoke("diff", old, "latest", "--out", str(out), "--json")
    assert result.exit_code == 0
    diff = json.loads(result.stdout)
    assert (diff["from"], diff["to"]) == (old, new)
    assert diff["summary"] == {"added": 0, "modified": 1, "removed": 1}
    assert {(c["code"], c["change"], tuple(c["changed_fields"])) for c in diff["changes"]} == {
        ("99213", "modified", ("title",)), ("J1100", "removed", ()),
    }
    removed = next(c for c in diff["changes"] if c["change"] == "removed")
    assert removed["content_sha256"] is None and len(removed["previous_content_sha256"]) == 64


def test_diff_table_shows_summary_and_rows(published):
    out, (old, new) = published
    result = _invoke("diff", "latest~1", new[:10], "--out", str(out))
    assert result.exit_code == 0
    assert f"{old} → {new}: 0 added, 1 modified, 1 removed" in result.stdout
    assert "J1100" in result.stdout and "title" in result.stdout


def test_diff_unknown_snapshot_exits_1_with_reason_on_stderr(published):
    out, _ = published
    result = _invoke("diff", "latest~5", "latest", "--out", str(out))
    assert result.exit_code == 1
    assert "latest~5" in result.stderr and result.stdout == ""


def test_show_prints_record_related_and_history(published):
    out, (old, new) = published
    result = _invoke("show", "99213", "--out", str(out))
    assert result.exit_code == 0
    text = result.stdout
    for expected in ("CPT 99213", "Office visit, established patient [/b]", "Review history", "outpatient clinic",
                     "about 20 to 29 minutes (20–29 min)", "99212", "modified", old, new):
        assert expected in text, expected


def test_show_json_of_a_removed_code(published):
    out, _ = published
    result = _invoke("show", "j1100", "--system", "HCPCS", "--out", str(out), "--json")
    [history] = json.loads(result.stdout)
    assert history["current"] is None
    assert [(e["present"], e["change"]) for e in history["events"]] == [(True, "added"), (False, "removed")]


def test_show_current_record_json_has_timestamps_in_iso(published):
    out, _ = published
    [history] = json.loads(_invoke("show", "S72.001A", "--out", str(out), "--json").stdout)
    assert history["current"]["fetched_at"].endswith("Z") and history["related"][0]["related_code"] == "S72.002A"


def test_show_unknown_code_exits_1(published):
    out, _ = published
    result = _invoke("show", "12345", "--out", str(out))
    assert result.exit_code == 1 and "'12345' is not in any code system" in result.stderr


def test_validate_latest_by_default_and_a_named_folder(published):
    out, (old, _) = published
    assert _invoke("validate", "--out", str(out)).exit_code == 0
    result = _invoke("validate", str(out / "snapshots" / old))
    assert result.exit_code == 0 and f"{old}: valid" in result.stdout


def test_validate_a_corrupted_copy_exits_1_with_the_reason(published, tmp_path):
    out, (_, new) = published
    copy = tmp_path / new
    shutil.copytree(out / "snapshots" / new, copy)
    (copy / "changes.parquet").write_bytes(b"PAR1 not really")
    result = _invoke("validate", str(copy))
    assert result.exit_code == 1
    assert "changes.parquet: sha256" in result.stderr and "changes.parquet: unreadable" in result.stderr


def test_validate_something_that_is_not_a_snapshot(tmp_path):
    result = _invoke("validate", str(tmp_path))
    assert result.exit_code == 1 and "not a published snapshot" in result.stderr


def test_real_console_script_has_the_history_commands(published):
    medcodes = shutil.which("medcodes")
    if medcodes is None:
        pytest.skip("the `medcodes` console script is not installed (pip install -e .)")
    missing = [c for c in ("snapshots", "diff", "show", "validate")
               if subprocess.run([medcodes, c, "--help"], capture_output=True).returncode != 0]
    if missing:
        pytest.skip(f"medcodes.cli does not register cli_history yet (missing {missing}); "
                    "add `from medcodes.cli_history import register; register(app)`")
    out, (_, new) = published
    result = subprocess.run([medcodes, "validate", "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0 and f"{new}: valid" in result.stdout, result.stderr
    shown = subprocess.run([medcodes, "show", "99213", "--out", str(out), "--json"], capture_output=True, text=True)
    assert json.loads(shown.stdout)[0]["current"]["title"] == "Office visit, established patient [/b]"
