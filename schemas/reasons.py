"""Quarantine: every page or row that did not become data, with a stable reason code.

Reason codes are part of the contract (machine-readable, never reworded). Parametric
reasons (`http_<status>`, `schema:<check>`) are built by the helpers below so their
spelling lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Stage(str, Enum):
    FETCH = "fetch"
    PARSE = "parse"
    VALIDATE = "validate"


class Reason(str, Enum):
    """Fixed reason codes. Add members; never rename one that has shipped."""

    # fetch
    HTTP_404 = "http_404"
    HTTP_410 = "http_410"
    NOT_HTML = "not_html"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    CONNECTION_DROPPED = "connection_dropped"
    OFFSITE_REDIRECT = "offsite_redirect"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    ROBOTS_DISALLOWED = "robots_disallowed"
    READ_ERROR = "read_error"
    # parse
    EMPTY_PAGE = "empty_page"
    CODE_NOT_FOUND = "code_not_found"
    CODE_SYSTEM_NOT_FOUND = "code_system_not_found"
    TITLE_NOT_FOUND = "title_not_found"
    PARSE_ERROR = "parse_error"
    # validate
    DUPLICATE_CODE = "duplicate_code"


def http_reason(status: int) -> str:
    """`http_404`, `http_503`, …: the reason for a final non-success HTTP status."""
    return f"http_{status}"


def schema_reason(check: str) -> str:
    """`schema:title_empty`, …: the reason for a row that failed a schema check."""
    return f"schema:{check}"


@dataclass(frozen=True)
class QuarantineEntry:
    """One row of `quarantine.parquet`."""

    source_url: str
    stage: str
    reason: str
    detail: str
    content_sha256: str | None
    seen_at: datetime

    def as_row(self) -> dict:
        return {
            "source_url": self.source_url,
            "stage": str(self.stage.value if isinstance(self.stage, Stage) else self.stage),
            "reason": str(self.reason.value if isinstance(self.reason, Reason) else self.reason),
            "detail": self.detail,
            "content_sha256": self.content_sha256,
            "seen_at": self.seen_at,
        }
