"""`medcodes.ledger.column_values`: the same Python values as `to_pylist`, faster for the
microsecond UTC timestamps every run converts once per page."""

from __future__ import annotations

import pyarrow as pa
import pytest

from medcodes.ledger import column_values

_MICROS = [1_700_000_000_123_456, None, -1_234_567, 0, 253_402_300_799_999_999]  # late, null, pre-1970, epoch, year 9999


def test_utc_microsecond_timestamps_equal_to_pylist_value_zone_and_repr() -> None:
    kind = pa.timestamp("us", tz="UTC")
    column = pa.chunked_array([pa.array(_MICROS[:2], kind), pa.array(_MICROS[2:], kind)])
    expected = column.to_pylist()
    got = column_values(column)
    assert got == expected
    assert [repr(value) for value in got] == [repr(value) for value in expected]  # same zone object


@pytest.mark.parametrize("kind", [pa.timestamp("ms", tz="UTC"), pa.timestamp("us"), pa.timestamp("us", tz="Europe/Paris"),
                                  pa.string(), pa.int32()])
def test_other_columns_are_to_pylist(kind: pa.DataType) -> None:
    values = ["a", None, "b"] if kind == pa.string() else [1, None, 3]
    column = pa.chunked_array([pa.array(values, pa.int64() if kind != pa.string() else kind).cast(kind)])
    assert [repr(v) for v in column_values(column)] == [repr(v) for v in column.to_pylist()]
