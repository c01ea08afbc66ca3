"""The vectorized checks give each value the answer its docstring states."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from schemas.checks import _code_format_ok, _list_items_ok


@pytest.mark.parametrize("value, ok", [
    ([], True),
    (["Pain", "Blood clots"], True),
    (("Pain",), True),
    (np.array(["Pain", "Fever"], dtype=object), True),
    (np.array(["Pain", "Fever"]), True),  # numpy's own str items are str
    (["Pain", ""], False),
    (["Pain", " \u00a0\t"], False),  # blank: whitespace only
    (["Pain", None], False),
    ([3, ""], False),  # a non-str item before a blank one
    (["", 3], False),
    (["Pain", b"Fever"], False),
    (None, False),
    ("Pain", False),  # a str is not a list of them
    (np.nan, False),
])
def test_list_items(value, ok):
    series = pd.Series([value, ["ok"]], dtype=object, index=[7, 9])
    result = _list_items_ok(series)
    assert result.tolist() == [ok, True] and list(result.index) == [7, 9] and result.dtype == bool


def test_code_format_reads_arrow_backed_columns_and_nulls():
    strings = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = pd.DataFrame({"code_system": pd.Series(["CPT", "CPT", None, "ICD-10-CM"], dtype=strings),
                          "code": pd.Series(["99213", "9921", "99213", "E11.9"], dtype=strings)})
    assert _code_format_ok(frame).tolist() == [True, False, False, True]
