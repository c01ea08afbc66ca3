"""SOURCE arguments → a plan of what to read, and one stream of pages from it.

A SOURCE is a page or sitemap URL, a site root, a local file, directory or glob, a WARC
file, or `@FILE` listing more sources. Arguments that name nothing are a usage error
(`SourceError`), raised before any work starts; pages that turn out bad are quarantined later.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from extract.local import expand_glob, is_warc, looks_like_glob, walk_directory
from medcodes.errors import SourceError


@dataclass
class SourcePlan:
    """What a run reads, resolved from its SOURCE arguments, each list in argument order."""

    files: list[str] = field(default_factory=list)  # absolute paths (see `walk_directory`: why strings)
    warcs: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def add_path(self, path: str | Path, *, resolved: bool = False) -> None:
        path = os.fspath(path) if resolved else os.path.realpath(path)
        (self.warcs if is_warc(path) else self.files).append(path)

    def dedupe(self) -> "SourcePlan":
        """Each file, WARC and URL once, first mention kept."""
        return SourcePlan(
            files=list(dict.fromkeys(self.files)),
            warcs=list(dict.fromkeys(self.warcs)),
            urls=list(dict.fromkeys(self.urls)),
        )


def read_source_list(list_file: Path) -> list[str]:
    """Sources named in an `@FILE`: one per line; blank lines and `#` comments ignored.

    Relative paths are taken relative to the list file's folder, not the working directory.
    """
    try:
        lines = list_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceError(f"cannot read source list {list_file}: {exc.strerror}") from exc
    sources = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        is_url = line.startswith(("http://", "https://"))
        sources.append(line if is_url or line.startswith("@") or Path(line).is_absolute() else str(list_file.parent / line))
    return sources


def plan_sources(sources: list[str], _seen_lists: frozenset[Path] = frozenset()) -> SourcePlan:
    """Resolve SOURCE arguments into files, WARCs and URLs (raises `SourceError` on a bad one)."""
    plan = SourcePlan()
    for source in sources:
        if source.startswith(("http://", "https://")):
            plan.urls.append(source)
        elif source.startswith("@"):
            list_file = Path(source[1:]).resolve()
            if list_file in _seen_lists:
                raise SourceError(f"source list {list_file} includes itself")
            sub = plan_sources(read_source_list(list_file), _seen_lists | {list_file})
            plan.files += sub.files
            plan.warcs += sub.warcs
            plan.urls += sub.urls
        elif "://" in source:
            raise SourceError(f"unsupported source scheme: {source!r} (use http(s)://, a path or @FILE)")
        else:
            path = Path(source)
            if path.is_dir():
                for found in walk_directory(path):
                    plan.add_path(found, resolved=True)
            elif path.is_file():
                plan.add_path(path)
            elif looks_like_glob(source):
                matches = expand_glob(source)
                if not matches:
                    raise SourceError(f"glob matched no files: {source!r}")
                for found in matches:
                    plan.add_path(found)
            else:
                raise SourceError(f"no such file or directory: {source!r}")
    return plan.dedupe()
