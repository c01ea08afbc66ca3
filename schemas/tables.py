"""The column specification of every published table — the single source of truth.

One `ColumnSpec` per column (name, Arrow type, nullable, description, example) and one
`TableSpec` per table (columns in contract order, unique key, sort order, frame checks).
The explicit `pyarrow.Schema`, the Pandera schema, the pandas dtypes and the JSON Schema of
`codes.jsonl` are all derived from it, never re-typed.

pandas 3 note: Pandera's `str` and pandas' `StringDtype` disagree unless the dtype is declared,
so every string column is declared as the pandas 3 default `StringDtype("pyarrow", na_value=nan)`
(what `pd.read_parquet` returns) and frames are coerced to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow

from medcodes.version import SCHEMA_VERSION
from schemas import checks
from schemas.reasons import Stage
from transform.headings import SECTION_KEYS

STR, LIST, INT32, TIMESTAMP = "str", "list", "int32", "timestamp"

_ARROW = {
    STR: pyarrow.string(),
    LIST: pyarrow.list_(pyarrow.string()),
    INT32: pyarrow.int32(),
    TIMESTAMP: pyarrow.timestamp("us", tz="UTC"),
}
_STRING_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
_TIMESTAMP_DTYPE = pd.DatetimeTZDtype("us", "UTC")
CHANGE_KINDS = ("added", "modified", "removed")


@dataclass(frozen=True)
class ColumnSpec:
    """One column. `null_check` names the schema failure reported when a required value is null."""

    name: str
    kind: str
    nullable: bool
    description: str
    example: object
    checks: tuple[pa.Check, ...] = ()
    null_check: str | None = None

    @property
    def arrow_type(self) -> pyarrow.DataType:
        return _ARROW[self.kind]

    @property
    def pandas_dtype(self) -> object:
        if self.kind == INT32:
            return "Int32" if self.nullable else "int32"
        return {STR: _STRING_DTYPE, LIST: object, TIMESTAMP: _TIMESTAMP_DTYPE}[self.kind]


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[ColumnSpec, ...]
    sort_keys: tuple[str, ...]
    unique: tuple[str, ...] | None = None
    frame_checks: tuple[pa.Check, ...] = field(default=())


def _s(name, description, example, *cks, nullable=False, null_check=None) -> ColumnSpec:
    return ColumnSpec(name, STR, nullable, description, example, cks, null_check)


def _l(name, description, example) -> ColumnSpec:
    return ColumnSpec(name, LIST, False, description, example, (checks.list_items(),), "list_item_invalid")


def _key(kind: str) -> tuple[ColumnSpec, ColumnSpec]:
    """The `(code_system, code)` pair every table starts with."""
    return (
        _s("code_system", f"Code system of the {kind} code (canonical label).", "ICD-10-CM",
           checks.non_empty("code_system_empty"), null_check="code_system_empty"),
        _s("code", f"The {kind} code in its system's canonical form.", "S72.001A",
           checks.non_empty("code_format"), null_check="code_format"),
    )


def _duration(name: str, description: str, example: int) -> ColumnSpec:
    return ColumnSpec(name, INT32, True, description, example, (checks.non_negative("duration_range"),))


_CODES = TableSpec(
    columns=(
        *_key("page's"),
        _s("title", "The long descriptor printed for the code.",
           "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
           checks.non_empty("title_empty"), null_check="title_empty"),
        _s("name", "The short or common name (\"Name of the Procedure\").", "Hip fracture repair", nullable=True),
        _s("summary", "Overview of the code's procedure or condition.", "Surgery to fix a broken hip.", nullable=True),
        _s("purpose", "Why the procedure is done.", "To restore hip function.", nullable=True),
        _l("indications", "When it is used, in page order.", ["Hip fracture after a fall"]),
        _l("preparation", "How the patient prepares, in page order.", ["Fast for 8 hours"]),
        _l("procedure_steps", "The steps of \"Procedure Description\", in order.", ["Anesthesia is given"]),
        _s("duration", "How long it takes, as printed.", "about 30 minutes to 1 hour", nullable=True),
        _duration("duration_min_minutes", "Parsed lower bound of `duration`, in minutes.", 30),
        _duration("duration_max_minutes", "Parsed upper bound of `duration`, in minutes.", 60),
        _s("setting", "Where it is performed, as printed.", "Hospital operating room", nullable=True),
        _l("settings", "The places named in `setting`.", ["hospital"]),
        _l("personnel", "Who performs or assists.", ["Orthopedic surgeon"]),
        _l("risks_common", "Common risks, one per item.", ["Pain"]),
        _l("risks_rare", "Rare risks, one per item.", ["Blood clots"]),
        _l("benefits", "Expected benefits.", ["Pain relief"]),
        _l("recovery", "Recovery and aftercare.", ["Physical therapy"]),
        _l("alternatives", "Alternative treatments.", ["Traction"]),
        _s("patient_experience", "What the patient feels or can expect.", "You will be asleep.", nullable=True),
        _s("license", "Whose terms govern the descriptor text: public_domain, ama_cpt, ada_cdt, …",
           "public_domain", checks.non_empty("license_unknown"), null_check="license_unknown"),
        _s("source_url", "Where the page came from (file:// for local files).",
           "https://example.org/icd10cm/S72.001A", checks.non_empty("source_url_empty"),
           null_check="source_url_empty"),
        _s("content_sha256", "Hex SHA-256 of the raw page bytes.", "0" * 64,
           checks.sha256_hex("content_sha256_invalid"), null_check="content_sha256_invalid"),
        ColumnSpec("fetched_at", TIMESTAMP, False, "When those bytes were captured (UTC).",
                   "2024-05-01T12:00:00Z", null_check="fetched_at_missing"),
    ),
    sort_keys=("code_system", "code"),
    unique=("code_system", "code"),
    frame_checks=(checks.CODE_FORMAT, checks.DURATION_RANGE),
)

_SECTIONS = TableSpec(
    columns=(
        *_key("page's"),
        ColumnSpec("ordinal", INT32, False, "0-based position of the section on the page.", 0,
                   (checks.non_negative("ordinal_negative"),)),
        _s("key", "Canonical section key; null for a section the pipeline does not recognise.", "risks",
           checks.one_of("section_key_unknown", SECTION_KEYS), nullable=True),
        _s("heading", "The heading as printed.", "Risks and Complications"),
        _s("text", "All the section's text, normalized, items on their own lines.", "Pain\nBlood clots"),
        _l("items", "The section's list items, if any, in page order.", ["Pain", "Blood clots"]),
    ),
    sort_keys=("code_system", "code", "ordinal"),
    unique=("code_system", "code", "ordinal"),
)

_RELATED = TableSpec(
    columns=(
        *_key("linking page's"),
        _s("related_code_system", "Code system of the linked code.", "ICD-10-CM",
           checks.non_empty("code_system_empty")),
        _s("related_code", "The linked code.", "S72.002A", checks.non_empty("code_format")),
        _s("related_title", "The linked code's title as the page shows it.", "Fracture of left femur",
           nullable=True),
        _s("relation", "How the codes relate: similar for \"Similar Codes\", others as pages show them.",
           "similar", checks.non_empty("relation_empty")),
    ),
    sort_keys=("code_system", "code", "related_code_system", "related_code", "relation"),
    unique=("code_system", "code", "related_code_system", "related_code", "relation"),
)

_QUARANTINE = TableSpec(
    columns=(
        _s("source_url", "Where the rejected page came from.", "https://example.org/cpt/99213",
           checks.non_empty("source_url_empty")),
        _s("stage", "Stage that rejected it: fetch, parse or validate.", "parse",
           checks.one_of("stage_unknown", tuple(s.value for s in Stage))),
        _s("reason", "Short, stable, machine-readable reason code.", "code_not_found",
           checks.non_empty("reason_empty")),
        _s("detail", "Human-readable explanation.", "no code in heading, title, URL or metadata"),
        _s("content_sha256", "Hex SHA-256 of the bytes, null where no bytes were had.", None,
           checks.sha256_hex("content_sha256_invalid"), nullable=True),
        ColumnSpec("seen_at", TIMESTAMP, False, "When the problem was seen (UTC).", "2024-05-01T12:00:00Z"),
    ),
    # Contract order (source_url, stage, reason), then detail so the order is total.
    sort_keys=("source_url", "stage", "reason", "detail"),
)

_CHANGES = TableSpec(
    columns=(
        *_key("changed"),
        _s("change", "added, modified or removed against the previous snapshot.", "modified",
           checks.one_of("change_unknown", CHANGE_KINDS)),
        _l("changed_fields", "codes content columns whose values changed (empty unless modified).",
           ["title", "risks_rare"]),
        _s("previous_content_sha256", "content_sha256 in the previous snapshot; null when added.", None,
           checks.sha256_hex("content_sha256_invalid"), nullable=True),
        _s("content_sha256", "content_sha256 in this snapshot; null when removed.", "0" * 64,
           checks.sha256_hex("content_sha256_invalid"), nullable=True),
    ),
    sort_keys=("code_system", "code"),
    unique=("code_system", "code"),
)

SPECS: dict[str, TableSpec] = {
    "codes": _CODES,
    "sections": _SECTIONS,
    "related_codes": _RELATED,
    "quarantine": _QUARANTINE,
    "changes": _CHANGES,
}
TABLES: tuple[str, ...] = tuple(SPECS)
SORT_KEYS: dict[str, tuple[str, ...]] = {name: spec.sort_keys for name, spec in SPECS.items()}
PROVENANCE_COLUMNS = ("source_url", "content_sha256", "fetched_at")
CONTENT_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in _CODES.columns if c.name not in PROVENANCE_COLUMNS
)


def spec(table: str) -> TableSpec:
    return SPECS[table]


def columns(table: str) -> list[str]:
    return [c.name for c in SPECS[table].columns]


def pandas_dtypes(table: str) -> dict[str, object]:
    return {c.name: c.pandas_dtype for c in SPECS[table].columns}


@cache
def arrow_schema(table: str) -> pyarrow.Schema:
    """Explicit Arrow schema; its `pandas` metadata comes from the declared dtypes, so
    `pd.read_parquet` restores them (Int32, str, UTC timestamps) whatever frame was written."""
    specs = SPECS[table].columns
    empty = pd.DataFrame({c.name: pd.Series(dtype=c.pandas_dtype) for c in specs})
    pandas_meta = pyarrow.Schema.from_pandas(empty, preserve_index=False).metadata
    metadata = {**pandas_meta, b"medcodes.table": table.encode(), b"medcodes.schema_version": SCHEMA_VERSION.encode()}
    fields = [pyarrow.field(c.name, c.arrow_type, nullable=c.nullable) for c in specs]
    return pyarrow.schema(fields, metadata=metadata)


@cache
def pandera_schema(table: str, unique: bool = True) -> pa.DataFrameSchema:
    """Strict, ordered, coercing Pandera schema for one table. `unique=False` leaves out the
    key's uniqueness, for one batch of a run (duplicates across pages are decided later)."""
    spec_ = SPECS[table]
    cols = {
        c.name: pa.Column(c.pandas_dtype, checks=list(c.checks), nullable=c.nullable, coerce=True,
                          description=c.description, title=c.name)
        for c in spec_.columns
    }
    return pa.DataFrameSchema(
        cols, checks=list(spec_.frame_checks), unique=list(spec_.unique) if spec_.unique and unique else None,
        strict=True, ordered=True, name=table,
    )


def conform(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns in contract order with the declared pandas dtypes (no validation)."""
    return df.loc[:, columns(table)].astype(pandas_dtypes(table))


def empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=c.pandas_dtype) for c in SPECS[table].columns})


_JSON_TYPES = {
    STR: {"type": "string"},
    LIST: {"type": "array", "items": {"type": "string", "minLength": 1}},
    INT32: {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1},
    TIMESTAMP: {"type": "string", "format": "date-time"},
}


def _json_object(specs: tuple[ColumnSpec, ...]) -> dict:
    props = {}
    for c in specs:
        prop = dict(_JSON_TYPES[c.kind])
        if c.nullable:
            prop["type"] = [prop["type"], "null"]
        props[c.name] = {**prop, "description": c.description, "examples": [c.example]}
    return {"type": "object", "properties": props, "required": [c.name for c in specs],
            "additionalProperties": False}


def _nested(table: str) -> tuple[ColumnSpec, ...]:
    return tuple(c for c in SPECS[table].columns if c.name not in ("code_system", "code"))


def json_schema_for_codes_jsonl() -> dict:
    """JSON Schema (2020-12) of one `codes.jsonl` line: a codes row plus its sections and related.

    Nested sections and related codes omit `code_system`/`code`, which the parent line carries.
    """
    schema = _json_object(_CODES.columns)
    schema["properties"]["sections"] = {"type": "array", "items": _json_object(_nested("sections"))}
    schema["properties"]["related"] = {"type": "array", "items": _json_object(_nested("related_codes"))}
    schema["required"] += ["sections", "related"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "medcodes codes.jsonl line",
        "description": f"One code with its sections and related codes (schema_version {SCHEMA_VERSION}).",
        **schema,
    }
