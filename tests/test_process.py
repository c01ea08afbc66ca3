"""`medcodes.process.tune_memory_allocators`: Arrow's pool and glibc's arena cap, here and in
the processes a run starts. Each case runs in a fresh interpreter: the choices are made once
per process, before pyarrow allocates."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, os, subprocess, sys
{before}
from medcodes.process import tune_memory_allocators
tune_memory_allocators()
import pyarrow
child = subprocess.run([sys.executable, "-c", "import os, pyarrow; print(pyarrow.default_memory_pool().backend_name, os.environ.get('MALLOC_ARENA_MAX'))"],
                       capture_output=True, text=True, check=True).stdout.split()
print(json.dumps({{"pool": pyarrow.default_memory_pool().backend_name, "arenas": os.environ["MALLOC_ARENA_MAX"],
                  "child_pool": child[0], "child_arenas": child[1]}}))
"""


def _probe(env: dict[str, str], before: str = "") -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "ARROW_DEFAULT_MEMORY_POOL")}
    done = subprocess.run([sys.executable, "-c", PROBE.format(before=before)], env={**clean, **env},
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_reach_this_process_and_its_children() -> None:
    assert _probe({}) == {"pool": "system", "arenas": "2", "child_pool": "system", "child_arenas": "2"}


def test_pyarrow_imported_first_still_gets_the_system_pool() -> None:
    """The CLI's own modules import pyarrow before `run` starts: the pool is set, not just the variable."""
    assert _probe({}, before="import pyarrow")["pool"] == "system"


@pytest.mark.parametrize("pool", ["jemalloc", "mimalloc"])
def test_values_already_set_win(pool: str) -> None:
    import pyarrow

    if pool not in pyarrow.supported_memory_backends():
        pytest.skip(f"this pyarrow has no {pool}")
    assert _probe({"ARROW_DEFAULT_MEMORY_POOL": pool, "MALLOC_ARENA_MAX": "4"}) == {
        "pool": pool, "arenas": "4", "child_pool": pool, "child_arenas": "4"}


def test_a_value_glibc_was_given_is_left_to_glibc() -> None:
    """glibc read the user's MALLOC_ARENA_MAX when the process started, whatever it says: the run
    neither overrides nor parses it."""
    assert _probe({"MALLOC_ARENA_MAX": "lots"}) == {
        "pool": "system", "arenas": "lots", "child_pool": "system", "child_arenas": "lots"}
