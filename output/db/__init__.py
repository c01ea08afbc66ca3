"""Loading published snapshots into SQLite, DuckDB or PostgreSQL (`medcodes load`).

`tables` generates the SQLAlchemy tables from `schemas.tables`; `plan` works out what a load
changes; `bulk` writes it set-wise; `loader.load_snapshot` runs it all in one transaction.
"""

from output.db.loader import LoadResult, load_snapshot

__all__ = ["LoadResult", "load_snapshot"]
