"""Generated documentation: the data dictionary and the JSON Schema of `codes.jsonl`.

Both come from `schemas.tables`, so they cannot drift from the files they describe; a test
fails when the committed copies are stale. Regenerate with `python -m schemas.docs`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from medcodes.version import SCHEMA_VERSION
from schemas.tables import INT32, LIST, STR, TABLES, TIMESTAMP, ColumnSpec, json_schema_for_codes_jsonl, spec

DICTIONARY_PATH = Path("docs/data-dictionary.md")
SCHEMA_PATH = Path("docs/codes.schema.json")
SNAPSHOT_SCHEMA_NAME = "codes.schema.json"

_TYPE_LABELS = {STR: "str", LIST: "list<str>", INT32: "int32", TIMESTAMP: "timestamp[us, UTC]"}
_TABLE_NOTES = {
    "codes": "One row per code: its descriptor and the page's content, section by section.",
    "sections": "Every section of every page, recognised or not; nothing is dropped.",
    "related_codes": "One row per link from a code's page to another code.",
    "quarantine": "Everything that did not become a row, and why.",
    "changes": "What this snapshot changed in `codes` against the previous snapshot.",
}


def codes_schema_text() -> str:
    """The exact text of `codes.schema.json` (what `docs/` holds and every snapshot ships)."""
    return json.dumps(json_schema_for_codes_jsonl(), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _example(value: object) -> str:
    if value is None:
        return "*null*"
    return _cell(f"`{json.dumps(value, ensure_ascii=False)}`")


def _column_row(column: ColumnSpec) -> str:
    nullable = "yes" if column.nullable else "no"
    return (f"| `{column.name}` | {_TYPE_LABELS[column.kind]} | {nullable} | "
            f"{_cell(column.description)} | {_example(column.example)} |")


def _table_section(table: str) -> list[str]:
    table_spec = spec(table)
    keys = ", ".join(table_spec.unique) if table_spec.unique else "none (rows may repeat)"
    return [
        f"## `{table}` (`{table}.parquet`)",
        "",
        _TABLE_NOTES.get(table, ""),
        "",
        f"Unique key: ({keys}). Sorted by ({', '.join(table_spec.sort_keys)}).",
        "",
        "| column | type | nullable | meaning | example |",
        "|---|---|---|---|---|",
        *(_column_row(c) for c in table_spec.columns),
        "",
    ]


def data_dictionary_markdown() -> str:
    """Every table and every column: type, nullability, meaning and an example value."""
    parts = [
        "# medcodes data dictionary",
        "",
        f"Schema version {SCHEMA_VERSION}. Generated from `schemas/tables.py` by "
        "`python -m schemas.docs`; do not edit by hand.",
        "",
        "Types are Arrow types. `list<str>` columns hold their items in page order and are "
        "never null (an absent list is empty). Timestamps are UTC.",
        "",
    ]
    for table in TABLES:
        parts += _table_section(table)
    parts += [
        "## `codes.jsonl`",
        "",
        "One JSON object per line per code, in `codes` order: every `codes` column above, plus "
        "`sections` (the code's `sections` rows in ordinal order) and `related` (its "
        "`related_codes` rows); nested objects leave out `code_system` and `code`. Timestamps "
        "are ISO 8601 with `Z`. Its JSON Schema is `docs/codes.schema.json`, shipped in every "
        f"snapshot as `{SNAPSHOT_SCHEMA_NAME}`.",
        "",
    ]
    return "\n".join(parts)


def generated_files() -> dict[Path, str]:
    """Repository-relative path → the text it must hold."""
    return {DICTIONARY_PATH: data_dictionary_markdown(), SCHEMA_PATH: codes_schema_text()}


def write_generated(repo_root: Path) -> list[Path]:
    """Write the generated documents under `repo_root`; returns the paths written."""
    written = []
    for relative, text in generated_files().items():
        path = Path(repo_root) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for written_path in write_generated(root):
        print(written_path)
