"""Parquet writing and reading with the explicit Arrow schema of each table.

Every write goes through `to_arrow`, so the file's types never depend on what a frame
happened to hold (an all-empty list column is still `list<string>`, not `list<null>`;
strings are `string`, not pandas 3's `large_string`). Settings read: `parquet_compression`,
`row_group_size`. Publishing (staging, fsync, atomic swap) is `output/publish.py`'s job.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from medcodes.settings import Settings
from schemas.tables import SORT_KEYS, arrow_schema, columns, pandas_dtypes

Tabular = pd.DataFrame | pa.Table | pa.RecordBatch


def to_arrow(data: Tabular, table: str) -> pa.Table:
    """`data` as an Arrow table with exactly the table's schema (columns, order, types, metadata)."""
    schema = arrow_schema(table)
    if isinstance(data, pd.DataFrame):
        arrow = pa.Table.from_pandas(data.loc[:, columns(table)], schema=schema, preserve_index=False)
    else:
        arrow = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
        arrow = arrow.select(columns(table)).cast(schema)
    return arrow.replace_schema_metadata(schema.metadata)


def sorted_arrow(data: Tabular, table: str) -> pa.Table:
    """`to_arrow`, then in the table's contract order (strings by code point, like UTF-8 bytes)."""
    return to_arrow(data, table).sort_by([(key, "ascending") for key in SORT_KEYS[table]])


class ParquetTableWriter:
    """Streams batches into one Parquet file with bounded memory.

    Rows are buffered up to `row_group_size` and flushed as whole row groups, so the file's
    layout (and bytes) is the same however the rows were split into batches.
    """

    def __init__(self, path: Path, table: str, settings: Settings) -> None:
        self.table = table
        self.rows = 0
        self._size = settings.row_group_size
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._writer = pq.ParquetWriter(
            str(path), arrow_schema(table), compression=settings.parquet_compression
        )

    def write(self, batch: Tabular) -> None:
        arrow = to_arrow(batch, self.table)
        self._pending.append(arrow)
        self._pending_rows += arrow.num_rows
        self.rows += arrow.num_rows
        if self._pending_rows >= self._size:
            self._flush(final=False)

    def close(self) -> None:
        """Flush what is buffered and finish the file (footer written here)."""
        self._flush(final=True)
        self._writer.close()

    def _flush(self, *, final: bool) -> None:
        if not self._pending:
            return
        buffered = pa.concat_tables(self._pending)
        whole = buffered.num_rows if final else buffered.num_rows - buffered.num_rows % self._size
        if whole:
            self._writer.write_table(buffered.slice(0, whole), row_group_size=self._size)
        rest = buffered.slice(whole)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def __enter__(self) -> ParquetTableWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # leave no half-valid footer behind a failure; the caller discards the file
            self._writer.close()


def write_parquet(data: Tabular, table: str, path: Path, settings: Settings) -> int:
    """Write one whole table to `path`; returns the number of rows written."""
    with ParquetTableWriter(path, table, settings) as writer:
        writer.write(data)
    return writer.rows


def read_parquet(path: Path, table: str) -> pd.DataFrame:
    """A published table as pandas with the declared dtypes (Int32 stays Int32, lists as lists)."""
    return to_pandas(pq.read_table(str(path), schema=arrow_schema(table)), table)


def to_pandas(arrow: pa.Table, table: str) -> pd.DataFrame:
    """An Arrow table of `table`'s schema as pandas with the declared dtypes, lists as lists."""
    frame = arrow.to_pandas()
    list_cols = [name for name, dtype in pandas_dtypes(table).items() if dtype is object]
    for name in list_cols:  # pyarrow yields numpy arrays; lists compare and serialize plainly
        frame[name] = frame[name].map(list)
    return frame.astype(pandas_dtypes(table))
