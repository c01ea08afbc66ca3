"""Versions that users and snapshots depend on.

`SCHEMA_VERSION` changes only with the contract (a changelog note goes with it).
`PARSER_VERSION` changes whenever extraction output may change for the same bytes;
incremental runs re-parse stored pages when it differs from the previous snapshot's.
"""

__version__ = "0.1.0"
SCHEMA_VERSION = "1.0.0"
PARSER_VERSION = "1"
