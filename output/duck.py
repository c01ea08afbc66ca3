"""DuckDB connections for the bounded-memory steps of a publish (sorting, grouping).

One place sets the limits: memory above `assembly_memory_mb` spills to a temporary folder
beside the output (same disk as the snapshots, never inside a staging folder), all cores.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from medcodes.settings import Settings


@contextmanager
def bounded_duckdb(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB that spills to a temporary folder in `out_dir`, removed after."""
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".work-duckdb-", dir=settings.out_dir) as spill:
        con = duckdb.connect(config={
            "memory_limit": f"{settings.assembly_memory_mb}MB",
            "temp_directory": str(Path(spill)),
            "threads": os.cpu_count() or 1,
        })
        try:
            yield con
        finally:
            con.close()


def literal(text: str) -> str:
    """A string as an SQL literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def parquet(path: Path | str) -> str:
    """A `read_parquet(...)` relation for SQL text."""
    return f"read_parquet({literal(str(path))})"
