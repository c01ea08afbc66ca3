"""medcodes: medical-code reference pages turned into validated, published datasets."""

from medcodes.version import PARSER_VERSION, SCHEMA_VERSION, __version__

__all__ = ["PARSER_VERSION", "SCHEMA_VERSION", "__version__"]
