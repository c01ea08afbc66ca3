"""Database URLs → SQLAlchemy engines, and which database errors are worth a retry.

Accepted: a plain file path or `sqlite:///path` (SQLite, the embedded default; a plain path
ending in `.duckdb` or `.ddb` is a DuckDB file),
`duckdb:///path` (DuckDB through `duckdb-engine`), `postgresql://…` or
`postgresql+psycopg://…` (PostgreSQL through psycopg 3, whose COPY the bulk path needs).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from medcodes.errors import ConfigError

BACKENDS = ("sqlite", "duckdb", "postgresql")
DUCKDB_SUFFIXES = (".duckdb", ".ddb")


def normalize_url(db_url: str) -> sa.URL:
    """The SQLAlchemy URL for `db_url`; a bare path means a SQLite (or `.duckdb`) file."""
    if "://" not in db_url:
        path = Path(db_url).expanduser()
        return sa.URL.create("duckdb" if path.suffix in DUCKDB_SUFFIXES else "sqlite", database=str(path))
    url = make_url(db_url)
    backend, _, driver = url.drivername.partition("+")
    if backend not in BACKENDS:
        raise ConfigError(f"unsupported database URL scheme {url.drivername!r}; use sqlite, duckdb or postgresql")
    if backend == "postgresql":
        if driver not in ("", "psycopg"):
            raise ConfigError(f"PostgreSQL needs the psycopg (3) driver, not {driver!r}: use postgresql+psycopg://")
        url = url.set(drivername="postgresql+psycopg")
    elif driver:
        raise ConfigError(f"{backend} takes no driver suffix: {url.drivername!r}")
    if backend != "postgresql" and not url.database:
        raise ConfigError(f"{db_url!r} names no database file")
    return url


def make_engine(db_url: str) -> sa.Engine:
    """An engine whose `begin()` opens a real transaction on every backend."""
    url = normalize_url(db_url)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.NoSuchModuleError, ImportError) as exc:
        hint = {"duckdb": "pip install duckdb duckdb-engine", "postgresql": 'pip install "psycopg[binary]"'}
        raise ConfigError(f"no driver for {url.get_backend_name()}: {hint.get(url.get_backend_name(), exc)}") from exc
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine)
    return engine


def _transactional_sqlite(engine: sa.Engine) -> None:
    """pysqlite opens transactions lazily (not before DDL or SELECT); take over so a load is
    one `BEGIN IMMEDIATE` … `COMMIT`, its reads included, and a second writer waits its turn."""

    @sa.event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 30000")

    @sa.event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_transient(exc: BaseException) -> bool:
    """True for failures another attempt may not meet: a lost or refused connection, a lock
    held by another writer, a serialization conflict. Everything else (bad SQL, constraint
    violations, schema mismatch) fails the same way again."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", exc)
    module = type(orig).__module__
    message = str(orig).lower()
    if module.startswith("psycopg"):
        import psycopg  # only present when PostgreSQL is used

        # connection failures, admin shutdown, serialization failures, deadlocks, lock timeouts
        return isinstance(orig, psycopg.OperationalError)
    if module.startswith("sqlite3"):
        return "locked" in message or "busy" in message
    if module.startswith("duckdb"):
        return "could not set lock" in message or "conflict" in message
    return False
