"""One parse batch as validated Arrow tables, ready to spool to disk.

This is the validate stage, run where the batch was parsed (a Dask worker or a thread), so
it is vectorized per batch and spread over the workers like parsing. A page whose code row
fails its schema moves to quarantine whole (`schema:<check>`), with its sections and links.
Duplicate codes are not decided here: they are a property of the whole run
(`transform.dedupe.choose_kept`). Sections and links carry their page's `source_url`
(a spool-only column) so a page that loses its code to a duplicate can be dropped whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from medcodes.pipeline import BatchResult
from output.parquet import to_arrow
from output.spool import PAGE_URL
from schemas.tables import arrow_schema
from schemas.validate import validate_codes, validate_table
from transform.dedupe import filled_counts

@dataclass
class BatchTables:
    """A batch's rows: `codes` valid (not yet deduplicated), `filled` per codes row."""

    codes: pa.Table
    sections: pa.Table
    related_codes: pa.Table
    quarantine: pa.Table
    filled: np.ndarray
    pages: int

    def tables(self) -> dict[str, pa.Table]:
        return {"codes": self.codes, "sections": self.sections, "related_codes": self.related_codes,
                "quarantine": self.quarantine}


def tabulate(result: BatchResult) -> BatchTables:
    """Validate a batch's code rows and turn every outcome into typed Arrow tables."""
    records, quarantine = result.records, list(result.quarantine)
    if records:
        rows = [r.code_row for r in records]
        valid, rejected = validate_codes(_frame(rows, _columns(rows)), unique_keys=False)
        quarantine += rejected
        passed = set(valid["source_url"]) if rejected else None
        if passed is not None:
            records = [r for r in records if r.code_row["source_url"] in passed]
        codes = to_arrow(valid, "codes")
    else:
        codes = arrow_schema("codes").empty_table()
    return BatchTables(
        codes=codes,
        sections=_page_rows("sections", [(r.code_row["source_url"], r.section_rows) for r in records]),
        related_codes=_page_rows("related_codes", [(r.code_row["source_url"], r.related_rows) for r in records]),
        quarantine=pa.Table.from_pylist([q.as_row() for q in quarantine], schema=arrow_schema("quarantine")),
        filled=filled_counts(codes),
        pages=result.pages,
    )


def _page_rows(table: str, pages: list[tuple[str, list[dict]]]) -> pa.Table:
    """A table's rows for these pages, checked against its schema, plus their page URL."""
    rows = [row for _, page_rows in pages for row in page_rows]
    urls = [url for url, page_rows in pages for _ in page_rows]
    schema = arrow_schema(table)
    by_column = _columns(rows) if rows else None
    if rows:
        validate_table(table, _frame(rows, by_column), unique_keys=False)  # a failure is a bug: raises
    if by_column is None:
        arrow = pa.Table.from_pylist(rows, schema=schema)
    else:  # validated, so the rows hold exactly the schema's columns
        arrow = pa.Table.from_arrays([by_column[name] for name in schema.names], schema=schema)
    return arrow.append_column(PAGE_URL, pa.array(urls, pa.string()))


def _columns(rows: list[dict]) -> dict[str, list] | None:
    """The rows as one list per key, or None when they do not all hold the same keys.

    pandas and Arrow are both built from these lists, so the rows are walked once, a column
    at a time, where `pd.DataFrame(rows)` and `Table.from_pylist(rows)` each walked them
    (measured on a 1,000-page batch's sections: a quarter less than building both from rows)."""
    keys = rows[0].keys()
    if len(set(map(len, rows))) != 1:
        return None
    try:  # same size and every key of the first row: the same keys
        return {key: [row[key] for row in rows] for key in keys}
    except KeyError:
        return None


def _frame(rows: list[dict], by_column: dict[str, list] | None) -> pd.DataFrame:
    """The frame `pd.DataFrame(rows)` builds (same columns, order and inferred dtypes), from
    the column lists when there are some."""
    return pd.DataFrame(rows) if by_column is None else pd.DataFrame(by_column)
