"""Prefect (and Dask) defaults for a command-line run on an offline machine.

Set before Prefect is imported: no telemetry (the analytics switch has been ignored by some
versions, so `DO_NOT_TRACK` too), the ephemeral API server when no server is configured,
and Prefect's and Dask's own console logging kept to warnings unless the user asks for more
(a `--workers` run otherwise prints a dozen lines of Dask start-up and shut-down news,
from this process and from each worker, which inherits the environment). Values already in
the environment win, so a deployment's settings are never overridden.
"""

from __future__ import annotations

import os

OFFLINE_DEFAULTS: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE": "true",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def configure_prefect_environment(verbose: bool = False) -> None:
    for name, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if verbose else "warning")
