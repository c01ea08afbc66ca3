"""The column spec and everything derived from it: Arrow schema, Pandera schema, JSON Schema."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from snapshot_samples import sample_tables

from schemas.tables import (
    CONTENT_COLUMNS, SORT_KEYS, TABLES, arrow_schema, columns, conform, json_schema_for_codes_jsonl,
    pandera_schema,
)

CONTRACT_CODES = [
    "code_system", "code", "title", "name", "summary", "purpose", "indications", "preparation",
    "procedure_steps", "duration", "duration_min_minutes", "duration_max_minutes", "setting",
    "settings", "personnel", "risks_common", "risks_rare", "benefits", "recovery", "alternatives",
    "patient_experience", "license", "source_url", "content_sha256", "fetched_at",
]
CONTRACT_OTHERS = {
    "sections": ["code_system", "code", "ordinal", "key", "heading", "text", "items"],
    "related_codes": ["code_system", "code", "related_code_system", "related_code", "related_title", "relation"],
    "quarantine": ["source_url", "stage", "reason", "detail", "content_sha256", "seen_at"],
    "changes": ["code_system", "code", "change", "changed_fields", "previous_content_sha256", "content_sha256"],
}


def test_tables_and_column_order_follow_the_contract():
    assert TABLES == ("codes", "sections", "related_codes", "quarantine", "changes")
    assert columns("codes") == CONTRACT_CODES
    for table, expected in CONTRACT_OTHERS.items():
        assert columns(table) == expected
        assert arrow_schema(table).names == expected


def test_arrow_types_are_explicit():
    codes = arrow_schema("codes")
    assert codes.field("indications").type == pa.list_(pa.string())
    assert codes.field("title").type == pa.string()  # not pandas 3's large_string
    assert codes.field("duration_min_minutes").type == pa.int32()
    assert codes.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert not codes.field("title").nullable and codes.field("name").nullable
    assert arrow_schema("sections").field("ordinal").type == pa.int32()
    assert arrow_schema("changes").field("changed_fields").type == pa.list_(pa.string())
    assert arrow_schema("quarantine").field("seen_at").type == pa.timestamp("us", tz="UTC")


def test_content_columns_exclude_provenance_only():
    assert set(CONTRACT_CODES) - set(CONTENT_COLUMNS) == {"source_url", "content_sha256", "fetched_at"}
    assert list(CONTENT_COLUMNS) == [c for c in CONTRACT_CODES if c in CONTENT_COLUMNS]


def test_sort_keys_start_with_the_code_key():
    assert SORT_KEYS["sections"] == ("code_system", "code", "ordinal")
    assert SORT_KEYS["related_codes"] == ("code_system", "code", "related_code_system", "related_code", "relation")
    assert SORT_KEYS["changes"] == ("code_system", "code")
    assert SORT_KEYS["quarantine"][:3] == ("source_url", "stage", "reason")


@pytest.mark.parametrize("table", TABLES)
def test_pandera_schema_accepts_samples_and_coerces_to_declared_dtypes(table):
    frame = conform(sample_tables()[table], table)
    validated = pandera_schema(table).validate(frame)
    for column, dtype in validated.dtypes.items():
        if arrow_schema(table).field(column).type == pa.string():
            assert dtype == pd.StringDtype("pyarrow", na_value=float("nan")), column


def test_pandera_schema_rejects_unknown_columns_and_section_keys():
    sections = sample_tables()["sections"]
    with pytest.raises(Exception):
        pandera_schema("sections").validate(sections.assign(extra=1))
    sections.loc[0, "key"] = "not_a_key"
    with pytest.raises(Exception, match="section_key_unknown"):
        pandera_schema("sections").validate(sections)


def test_json_schema_is_generated_from_the_spec():
    schema = json_schema_for_codes_jsonl()
    props = schema["properties"]
    assert list(props)[: len(CONTRACT_CODES)] == CONTRACT_CODES
    assert props["indications"]["type"] == "array" and props["indications"]["items"]["type"] == "string"
    assert props["name"]["type"] == ["string", "null"]
    assert props["fetched_at"]["format"] == "date-time"
    assert set(props["sections"]["items"]["properties"]) == {"ordinal", "key", "heading", "text", "items"}
    assert "related_code" in props["related"]["items"]["properties"]
    assert "sections" in schema["required"] and schema["additionalProperties"] is False
