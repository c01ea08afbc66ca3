"""Progress reporting from a run to whoever is watching (the CLI's progress bar, or nobody).

Flows report from the flow body (the main process) as batches finish, so it works the same
whatever task runner executes the batches. The CLI installs a reporter; library use and
tests get the silent default.
"""

from __future__ import annotations

import time
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


class StageClock:
    """Wall seconds per stage of one run, for its summary: where a nightly window goes
    (parsing, or assembling the snapshot?) without a profiler. Starting a stage also
    reports it to the current reporter."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._started = 0.0

    def start(self, name: str) -> None:
        self._close()
        reporter().stage(name)
        self._current, self._started = name, time.perf_counter()

    def stop(self) -> dict[str, float]:
        """Every stage's seconds (rounded to 0.01 s), in the order they ran."""
        self._close()
        return dict(self.seconds)

    def _close(self) -> None:
        if self._current is not None:
            elapsed = time.perf_counter() - self._started
            self.seconds[self._current] = round(self.seconds.get(self._current, 0.0) + elapsed, 2)
            self._current = None
