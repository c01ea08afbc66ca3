"""The slices the snapshot's tables are sorted in: every key in exactly one slice, in order,
whether a slice lies inside one code system or spans several."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from output.assemble import key_slices

KEYS = [(system, code) for system in ("CPT", "HCPCS", "ICD-10-CM", "ICD-10-PCS")
        for code in ("A1", "A2", "B1", "B2", "C1")]


def test_every_key_falls_in_exactly_one_slice_in_order():
    con = duckdb.connect()
    con.register("keys", pa.table({"code_system": [k[0] for k in KEYS], "code": [k[1] for k in KEYS]}))
    splits = [("CPT", "A2"), ("CPT", "B2"), ("HCPCS", "A1"), ("ICD-10-CM", "C1"), ("ICD-10-PCS", "B1")]
    sliced = [con.sql(f"SELECT code_system, code FROM keys WHERE {where} ORDER BY 1, 2").fetchall()
              for where in key_slices(splits)]
    assert [key for part in sliced for key in part] == sorted(KEYS)
    assert [len(part) for part in sliced] == [2, 2, 2, 9, 3, 2]
    assert key_slices([]) == ["TRUE"]
