"""Database URLs: which backend and driver each form selects, and which it refuses."""

from __future__ import annotations

import pytest

from medcodes.errors import ConfigError
from output.db.engine import normalize_url


@pytest.mark.parametrize(("given", "expected"), [
    ("medcodes.sqlite", "sqlite:///medcodes.sqlite"),
    ("/srv/db/codes.db", "sqlite:////srv/db/codes.db"),
    ("/srv/db/codes.duckdb", "duckdb:////srv/db/codes.duckdb"),
    ("sqlite:///rel.sqlite", "sqlite:///rel.sqlite"),
    ("duckdb:////abs/x.duckdb", "duckdb:////abs/x.duckdb"),
    ("postgresql://u@db.internal:5433/codes", "postgresql+psycopg://u@db.internal:5433/codes"),
    ("postgresql+psycopg://u@db/codes", "postgresql+psycopg://u@db/codes"),
])
def test_urls_select_backend_and_driver(given, expected):
    assert normalize_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(("given", "message"), [
    ("mysql://localhost/x", "unsupported database URL scheme"),
    ("postgresql+psycopg2://u@db/codes", r"psycopg \(3\) driver"),
    ("sqlite+pysqlcipher:///x.db", "takes no driver suffix"),
    ("duckdb://", "names no database file"),
])
def test_urls_that_cannot_work_are_config_errors(given, message):
    with pytest.raises(ConfigError, match=message):
        normalize_url(given)
