"""Tuning for a process that runs medcodes once and exits (the CLI, a benchmark, the
forkserver local Dask workers fork from)."""

from __future__ import annotations

import ctypes
import gc
import os
import sys

# Memory allocators for this process and every process it starts (the API server, the
# forkserver and the Dask workers inherit the environment). Values already set win.
ALLOCATOR_DEFAULTS: dict[str, str] = {
    "MALLOC_ARENA_MAX": "2",
    "ARROW_DEFAULT_MEMORY_POOL": "system",
}
_M_ARENA_MAX = -8  # glibc's mallopt parameter for MALLOC_ARENA_MAX


def tune_memory_allocators() -> None:
    """Cap glibc's malloc arenas at two and have Arrow allocate with malloc, here and in the
    processes started from here. Call it first, before threads start and pyarrow is imported.

    Why: a run holds a few batches at a time, yet its processes kept the high-water mark of
    every allocator they used. glibc gives each new thread its own arena (up to 8 per core),
    and Prefect, Dask and uvicorn run a dozen threads a process; Arrow's default pool
    (jemalloc) keeps arenas and freed pages of its own beside malloc's. Measured on 20k pages
    with 2 workers, each setting alone and then both: peak PSS of the tree 1,128-1,153 MB →
    1,123 (arenas), 1,079 (Arrow on malloc), 1,056-1,058 MB (both; workers and forkserver
    537-552 → 478-489 MB, main 390-400 → 369-379 MB), the same CPU. Arrow's buffers here are
    small (~5 MB per 1,000-page batch), so jemalloc's speed buys nothing.
    """
    defaulted = {name for name in ALLOCATOR_DEFAULTS if name not in os.environ}
    for name, value in ALLOCATOR_DEFAULTS.items():
        os.environ.setdefault(name, value)
    if "MALLOC_ARENA_MAX" in defaulted:  # a value set before this process started is glibc's already
        _cap_malloc_arenas(int(ALLOCATOR_DEFAULTS["MALLOC_ARENA_MAX"]))
    if "pyarrow" in sys.modules and os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system":
        # imported already (the CLI's own modules use it): the pool itself, as the variable says
        import pyarrow

        pyarrow.set_memory_pool(pyarrow.system_memory_pool())


def _cap_malloc_arenas(arenas: int) -> None:
    """glibc reads `MALLOC_ARENA_MAX` when the process starts, so this process is told by
    `mallopt`; elsewhere (musl, macOS, Windows) there is no such knob and nothing to do."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(_M_ARENA_MAX, arenas)


def freeze_loaded_objects() -> None:
    """Exempt every object alive now (the imports: Prefect, pandas, pyarrow, … about a
    million objects) from the cyclic garbage collector.

    Why: they live as long as the process, yet each full collection walks them all again:
    measured, full collections took 1.04 s of a 9.4 s no-change refresh of 50k pages, and
    0.41 s once frozen. In a forked process it also keeps the pages holding them shared.
    Only for a process that runs once: in a long-lived one, objects alive at the call that
    later become garbage cycles would never be collected.
    """
    gc.collect()
    gc.freeze()
