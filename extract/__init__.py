"""Extract stage: sources, discovery, fetching, the raw page store, and section parsing.

Fetchers return bytes plus metadata (`RawPage`) and never parse; parsers read only
those bytes and return a `ParsedPage`, so a parser fix never needs a re-download.
"""
