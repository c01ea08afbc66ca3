"""Transform stage: turns a `ParsedPage` into normalized, contract-shaped rows."""
