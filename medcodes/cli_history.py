"""`medcodes snapshots | diff | show | validate`: look back through published snapshots.

Registered on the main app by `medcodes.cli` through `register(app)`. Thin wrappers over
`output.history`; `--out` falls back to `MEDCODES_OUT_DIR`, then `./data` (via `Settings`).
Exit status 0 on success, 1 with the reason on stderr otherwise.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import pyarrow as pa
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from medcodes.errors import MedcodesError
from medcodes.settings import Settings
from output.jsonl import iso_utc

err = Console(stderr=True)
out = Console()

OUT_OPTION = typer.Option(None, "--out", help="Output folder holding snapshots/ and latest [default: ./data or MEDCODES_OUT_DIR].")
JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of tables.")
_LIST_FIELDS = ("indications", "preparation", "procedure_steps", "settings", "personnel", "risks_common",
                "risks_rare", "benefits", "recovery", "alternatives")
_TEXT_FIELDS = ("name", "summary", "purpose", "setting", "patient_experience", "license", "source_url",
                "content_sha256", "fetched_at")


def register(app: typer.Typer) -> None:
    app.command(name="snapshots")(snapshots)
    app.command(name="diff")(diff)
    app.command(name="show")(show)
    app.command(name="validate")(validate)


def _out_dir(out_dir: Optional[Path]) -> Path:
    return (Settings(out_dir=out_dir) if out_dir is not None else Settings()).out_dir


def _fail(what: str, exc: Exception) -> typer.Exit:
    err.print(f"[bold red]{what}:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _json(value: Any) -> None:
    """JSON on stdout, bypassing rich (no wrapping or highlighting in machine output)."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=_text))


def snapshots(out_dir: Optional[Path] = OUT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the kept snapshots, newest first; `*` marks the one `latest` points at."""
    from output.history import snapshot_infos

    directory = _out_dir(out_dir)
    infos = list(reversed(snapshot_infos(directory)))
    if as_json:
        _json([{**asdict(i), "path": str(i.path)} for i in infos])
        return
    if not infos:
        raise _fail("no snapshots", MedcodesError(f"nothing published in {directory}; run `medcodes run` first"))
    wide = out.width >= 120  # versions and per-system counts only where they fit; --json has all
    table = Table(title=f"snapshots in {directory}", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("", min_width=1, no_wrap=True)
    table.add_column("snapshot", no_wrap=True)
    table.add_column("created", no_wrap=True)
    for column in ("codes", "+/~/-", "quar.", "stale"):
        table.add_column(column, justify="right", no_wrap=True)
    if wide:
        table.add_column("parser/schema", no_wrap=True)
        table.add_column("codes by system")
    for i in infos:
        changes = "/".join(str(i.change_counts.get(k, 0)) for k in ("added", "modified", "removed"))
        row = ["*" if i.is_latest else "", i.snapshot_id, i.created_at[:16].replace("T", " "),
               str(i.row_counts.get("codes", 0)), changes, str(i.quarantined), str(i.stale)]
        if wide:
            row += [f"{i.parser_version}/{i.schema_version}",
                    ", ".join(f"{s} {n}" for s, n in i.code_system_counts.items())]
        table.add_row(*row)
    out.print(table)
    out.print("* = latest   times in UTC   +/~/- = added/modified/removed   quar. = quarantined", highlight=False)


def diff(
    a: str = typer.Argument(..., help="Older snapshot: id, unique id prefix, latest or latest~N."),
    b: str = typer.Argument(..., help="Newer snapshot, same forms."),
    out_dir: Optional[Path] = OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """What changed from snapshot A to snapshot B: added, modified (with fields) and removed codes."""
    from output.history import diff_snapshots, resolve_snapshot

    directory = _out_dir(out_dir)
    try:
        before, after = resolve_snapshot(directory, a), resolve_snapshot(directory, b)
        changes = diff_snapshots(directory, a, b)
    except MedcodesError as exc:
        raise _fail("diff failed", exc) from None
    counts = {kind: int((changes["change"] == kind).sum()) for kind in ("added", "modified", "removed")}
    rows = pa.Table.from_pandas(changes, preserve_index=False).to_pylist()
    if as_json:
        _json({"from": before.name, "to": after.name, "summary": counts, "changes": rows})
        return
    out.print(f"{before.name} → {after.name}: " + ", ".join(f"{n} {k}" for k, n in counts.items()), highlight=False)
    if rows:
        table = Table("code_system", "code", "change", "changed_fields")
        for row in rows:
            table.add_row(*(escape(row[k]) for k in ("code_system", "code", "change")), ", ".join(row["changed_fields"]))
        out.print(table)


def show(
    code: str = typer.Argument(..., help="The code as printed, e.g. 99213, s72001a, S72.001A."),
    system: Optional[str] = typer.Option(None, "--system", help="Code system (CPT, HCPCS, ICD-10-CM, …) when the code exists in several."),
    out_dir: Optional[Path] = OUT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A code's current record (from latest) and its history across the kept snapshots."""
    from output.history import code_history

    try:
        histories = code_history(_out_dir(out_dir), code, system)
    except MedcodesError as exc:
        raise _fail("show failed", exc) from None
    if as_json:
        _json([asdict(h) for h in histories])
        return
    for history in histories:
        _print_history(history)


def _print_history(history: Any) -> None:
    out.rule(escape(f"{history.code_system} {history.code}"))
    record = history.current
    if record is None:
        out.print("not in latest (see the history below)", highlight=False)
    else:
        out.print(f"[bold]{escape(record['title'])}[/bold]")
        for name in _TEXT_FIELDS:
            if record[name] is not None:
                out.print(f"[bold]{name}:[/bold] {escape(_text(record[name]))}", highlight=False)
        if record["duration"] is not None:
            span = f" ({record['duration_min_minutes']}–{record['duration_max_minutes']} min)" \
                if record["duration_min_minutes"] is not None else ""
            out.print(f"[bold]duration:[/bold] {escape(record['duration'])}{span}", highlight=False)
        for name in _LIST_FIELDS:
            if record[name]:
                out.print(f"[bold]{name}:[/bold]")
                for item in record[name]:
                    out.print(f"  • {escape(item)}", highlight=False)
    if history.related:
        related = Table("relation", "system", "code", "title", title="related codes")
        for r in history.related:
            related.add_row(*(escape(r[k] or "") for k in ("relation", "related_code_system", "related_code", "related_title")))
        out.print(related)
    events = Table(title="history (times in UTC)")
    events.add_column("snapshot", no_wrap=True)
    events.add_column("created", no_wrap=True)
    for column in ("present", "change", "changed_fields"):
        events.add_column(column)
    for e in history.events:
        events.add_row(e.snapshot_id, e.created_at[:16].replace("T", " "), "yes" if e.present else "no",
                       e.change or "", ", ".join(e.changed_fields))
    out.print(events)


def _text(value: Any) -> str:
    return iso_utc(value) if isinstance(value, datetime) else str(value)


def validate(
    path: Optional[Path] = typer.Argument(None, help="A snapshot folder, or an output folder (its latest). Default: latest under --out."),
    out_dir: Optional[Path] = OUT_OPTION,
) -> None:
    """Re-check a published snapshot: every file's bytes, sha256 and rows against its manifest,
    and every table against the schemas. Exit 1 on any mismatch."""
    from output.verify import verify_snapshot

    target = path if path is not None else _out_dir(out_dir) / "latest"
    if (target / "latest").exists() and not (target / "manifest.json").exists():
        target = target / "latest"
    if not (target / "manifest.json").is_file():
        raise _fail("validate failed", MedcodesError(f"{target} is not a published snapshot (no manifest.json)"))
    problems = verify_snapshot(target.resolve())
    if problems:
        for problem in problems:
            err.print(f"[red]invalid:[/] {problem}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    out.print(f"{target.resolve().name}: valid (files match the manifest, tables match the schemas)", highlight=False)
