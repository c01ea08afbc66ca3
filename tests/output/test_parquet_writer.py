"""Parquet files carry the explicit schema whatever the frame held, and read back everywhere."""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from snapshot_samples import codes_frame, sample_tables

from medcodes.settings import Settings
from output.parquet import ParquetTableWriter, read_parquet, to_arrow, write_parquet
from schemas.tables import TABLES, arrow_schema, columns
from schemas.validate import validate_table


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(out_dir=tmp_path, row_group_size=2)


@pytest.mark.parametrize("table", TABLES)
def test_written_schema_is_exact_and_rereads_valid(tmp_path, settings, table):
    path = tmp_path / f"{table}.parquet"
    frame = sample_tables()[table]
    assert write_parquet(frame, table, path, settings) == len(frame)
    assert pq.read_schema(path).equals(arrow_schema(table), check_metadata=False)
    back = read_parquet(path, table)
    assert list(back.columns) == columns(table) and len(back) == len(frame)
    validate_table(table, back)
    validate_table(table, pd.read_parquet(path))


def test_all_empty_list_column_stays_list_of_string(tmp_path, settings):
    sections = sample_tables()["sections"].assign(items=[[] for _ in range(5)])
    path = tmp_path / "sections.parquet"
    write_parquet(sections, "sections", path, settings)
    assert pq.read_schema(path).field("items").type == pa.list_(pa.string())
    assert pd.read_parquet(path)["items"].map(len).tolist() == [0] * 5


def test_other_readers_see_contract_types(tmp_path, settings):
    path = tmp_path / "codes.parquet"
    write_parquet(codes_frame(), "codes", path, settings)
    con = duckdb.connect()
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{path}')").fetchall())
    assert types["indications"] == "VARCHAR[]"
    assert types["duration_min_minutes"] == "INTEGER"
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    row = con.execute(
        f"SELECT duration_min_minutes, procedure_steps FROM '{path}' WHERE code = '0DTJ4ZZ'"
    ).fetchone()
    assert row == (None, ["General anesthesia", "Three small incisions", "Appendix removed"])
    back = pd.read_parquet(path)
    assert str(back["duration_max_minutes"].dtype) == "Int32"
    assert str(back["fetched_at"].dtype) == "datetime64[us, UTC]"
    assert back.loc[back["code"] == "S72.001A", "patient_experience"].item().startswith("Émilie")


def test_streamed_batches_give_the_same_bytes_as_one_write(tmp_path, settings):
    frame = pd.concat([codes_frame()] * 3, ignore_index=True)
    frame["code"] = [f"{n:05d}" for n in range(len(frame))]
    whole, streamed = tmp_path / "whole.parquet", tmp_path / "streamed.parquet"
    write_parquet(frame, "codes", whole, settings)
    with ParquetTableWriter(streamed, "codes", settings) as writer:
        for start, stop in [(0, 1), (1, 4), (4, 5), (5, 15)]:
            writer.write(to_arrow(frame.iloc[start:stop], "codes"))
    assert writer.rows == 15
    assert _sha(whole) == _sha(streamed)
    meta = pq.ParquetFile(streamed).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2] * 7 + [1]
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_same_input_same_bytes_from_pandas_or_arrow(tmp_path, settings):
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    write_parquet(codes_frame(), "codes", first, settings)
    write_parquet(to_arrow(codes_frame(), "codes"), "codes", second, settings)
    assert _sha(first) == _sha(second)


def test_wrong_type_is_refused(tmp_path, settings):
    frame = codes_frame().assign(duration_min_minutes="thirty")
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        write_parquet(frame, "codes", tmp_path / "codes.parquet", settings)
