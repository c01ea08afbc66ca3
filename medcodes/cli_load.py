"""`medcodes load`: make a database mirror a published snapshot (the one `latest` points at).

Registered on the main app by `medcodes.cli` through `register(app)`, so the loader's
dependencies (SQLAlchemy, a database driver) are imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from medcodes.errors import MedcodesError
from medcodes.settings import Settings

err = Console(stderr=True)
out = Console()


def register(app: typer.Typer) -> None:
    app.command(name="load")(load)


def load(
    db: str = typer.Option(..., "--db", help="Database: a file path or sqlite:///path, duckdb:///path, postgresql://user@host/db."),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder holding snapshots/ and latest [default: ./data or MEDCODES_OUT_DIR]."),
    snapshot: Optional[str] = typer.Option(None, "--snapshot", help="Snapshot id to load [default: the one `latest` points at]."),
    allow_older: bool = typer.Option(False, "--allow-older", help="Allow loading a snapshot older than the database's (a rollback)."),
) -> None:
    """Load a snapshot into SQLite, DuckDB or PostgreSQL, applying only what changed."""
    from output.db import load_snapshot

    settings = Settings(out_dir=out_dir) if out_dir is not None else Settings()
    try:
        snapshot_dir = resolve_snapshot(settings, snapshot)
        result = load_snapshot(db, snapshot_dir, allow_older=allow_older)
    except MedcodesError as exc:
        err.print(f"[bold red]load failed:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    held = f"previously {result.previous_snapshot_id}" if result.previous_snapshot_id else "first load"
    out.print(f"database ({result.backend}) now holds snapshot {result.snapshot_id} ({held})", highlight=False, soft_wrap=True)
    out.print(_changes_table(result.changes))


def resolve_snapshot(settings: Settings, snapshot_id: str | None) -> Path:
    """`snapshots/<id>`, or the folder `latest` points at; a clear error when neither exists."""
    from output.db.loader import LoadRefused
    from output.publish import latest_snapshot, list_snapshots

    if snapshot_id is None:
        found = latest_snapshot(settings.out_dir)
        if found is None:
            raise LoadRefused(f"no published snapshot in {settings.out_dir} (no `latest`); run `medcodes run` first")
        return found
    path = settings.snapshots_dir / snapshot_id
    if path not in list_snapshots(settings.out_dir):
        known = ", ".join(p.name for p in list_snapshots(settings.out_dir)[-5:]) or "none"
        raise LoadRefused(f"no published snapshot {snapshot_id!r} in {settings.snapshots_dir} (newest: {known})")
    return path


def _changes_table(changes: dict) -> Table:
    table = Table("table", "inserted", "updated", "deleted")
    for name, change in changes.items():
        table.add_row(name, str(change.inserted), str(change.updated), str(change.deleted))
    return table
