"""Saved pages on disk: single files, directories (recursive) and globs.

A local file's `source_url` is its absolute `file://` URI and its `fetched_at` is the
file's modification time, the best record of when those bytes were captured — and a
stable one, so re-running on unchanged files gives identical rows.
"""

from __future__ import annotations

import glob
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from extract.rawpage import RawPage

PAGE_SUFFIXES: dict[str, str] = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
WARC_SUFFIXES: tuple[str, ...] = (".warc", ".warc.gz")


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def is_page_file(path: Path) -> bool:
    return path.suffix.lower() in PAGE_SUFFIXES


def read_local_file(path: Path) -> RawPage:
    """The exact bytes of one saved page, with its content type guessed from the extension.

    The path is made absolute lexically; resolving symlinks is the source plan's job, done
    once per path (a `realpath` per file cost more than reading it on a 100k-page folder).
    """
    path = Path(os.path.abspath(path))
    with open(path, "rb") as handle:
        body = handle.read()
        mtime = datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime, tz=timezone.utc)
    return RawPage(
        source_url=path.as_uri(),
        body=body,
        fetched_at=mtime,
        content_type=PAGE_SUFFIXES.get(path.suffix.lower()),
    )


def walk_directory(root: Path) -> Iterator[Path]:
    """Page and WARC files below `root`, resolved (symlinks followed), in sorted order; hidden
    files and folders skipped. The root is resolved once; only symlinked files again."""
    for dirpath, dirnames, filenames in os.walk(Path(root).resolve()):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if not name.startswith(".") and (is_page_file(path) or is_warc(path)):
                yield path.resolve() if os.path.islink(path) else path


def expand_glob(pattern: str) -> list[Path]:
    """Files matching a shell glob (`**` recursive), sorted."""
    return sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())


def looks_like_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")
