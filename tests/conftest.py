"""Session-wide test setup: offline Prefect, and one Prefect test harness for the whole session.

The harness (a temporary database and API server, ~12 s to start) is opt-in through the
`prefect_harness` fixture so unit tests of plain functions never pay for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.prefect_env import configure_prefect_environment

configure_prefect_environment(verbose=False)

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT
