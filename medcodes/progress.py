"""Progress reporting from a run to whoever is watching (the CLI's progress bar, or nobody).

Flows report from the flow body (the main process) as batches finish, so it works the same
whatever task runner executes the batches. The CLI installs a reporter; library use and
tests get the silent default.
"""

from __future__ import annotations

from typing import Any, Protocol


class Reporter(Protocol):
    def stage(self, name: str) -> None:
        """A new phase of the run has started ("reading sources", "parsing", "publishing")."""

    def pages_done(self, pages: int, quarantined: int) -> None:
        """`pages` more pages were processed, `quarantined` of them ended in quarantine."""

    def crawl_progress(self, stats: Any) -> None:
        """Live web-crawl counts (an `extract.web.CrawlStats`), called from the crawl thread."""


class SilentReporter:
    def stage(self, name: str) -> None:
        pass

    def pages_done(self, pages: int, quarantined: int) -> None:
        pass

    def crawl_progress(self, stats: Any) -> None:
        pass


_current: Reporter = SilentReporter()


def set_reporter(reporter: Reporter | None) -> None:
    global _current
    _current = reporter or SilentReporter()


def reporter() -> Reporter:
    return _current
