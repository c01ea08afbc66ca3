"""The Prefect API server of a one-off run, started before Prefect is even imported.

Why: with no API configured, Prefect starts a temporary server when a flow first needs one.
That is after this process has imported Prefect, Dask and the parser (~9 s here), and it
imports the whole server application into this process (~4 s of CPU, measured) only to
launch it as a subprocess, then waits for it (~12 s) with nothing else to do. Started here,
with the command Prefect itself runs (`uvicorn prefect.server.api.server:create_app`), the
server boots while this process imports, and its application is never imported here.

The port is reserved until the server listens: a socket bound with `SO_REUSEADDR` and not
listening keeps every plain `bind` and every automatic port choice off it, while uvicorn
(which binds with `SO_REUSEADDR`) can take it. So the API URL is known, and exported as
`PREFECT_API_URL`, before Prefect reads its settings.

Only when no API could be configured anywhere Prefect looks (environment, `.env`,
`prefect.toml`, `pyproject.toml`, profiles): otherwise Prefect is left to resolve it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Iterator

from medcodes.errors import TerminalError
from medcodes.prefect_env import OFFLINE_DEFAULTS

_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"  # Prefect's own setting, honoured


class ApiServerError(TerminalError):
    """The run's Prefect API server did not start."""


def api_may_be_configured(cwd: Path | None = None) -> bool:
    """Whether any source Prefect reads settings from might name an API (conservatively:
    any `PREFECT_API_URL*` variable, `.env` naming a `PREFECT_` setting, a `prefect.toml`,
    a `[tool.prefect]` table, or a profiles file mentioning `PREFECT_API_URL`)."""
    cwd = cwd or Path.cwd()
    if any(name.startswith("PREFECT_API_URL") for name in os.environ):
        return True
    dotenv = cwd / ".env"
    if dotenv.is_file() and "PREFECT_" in dotenv.read_text(encoding="utf-8", errors="replace"):
        return True
    if (cwd / "prefect.toml").is_file():
        return True
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "prefect" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return True
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    return profiles.is_file() and "PREFECT_API_URL" in profiles.read_text(encoding="utf-8", errors="replace")


# `python -m uvicorn`, but on Linux the server is killed when this process dies, however it
# dies: a run killed by a scheduler's timeout (SIGTERM, SIGKILL) runs no `finally`, and an
# orphaned server would listen forever. SIGKILL, not SIGTERM: under load the server's
# graceful shutdown took over 30 s once, and it holds nothing a kill can corrupt (SQLite is
# transactional). (prctl 1 = PR_SET_PDEATHSIG; if the parent is already gone, exit at once.)
_UVICORN_TIED_TO_PARENT = """
import os, signal, sys
if sys.platform.startswith("linux"):
    import ctypes
    parent = int(os.environ["MEDCODES_API_SERVER_PARENT"])
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:
        sys.exit(0)
from uvicorn.main import main
sys.exit(main())
"""


class ApiServer:
    """A Prefect API server subprocess on a reserved port of 127.0.0.1."""

    def __init__(self) -> None:
        self._reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._reservation.bind(("127.0.0.1", 0))
        self.port: int = self._reservation.getsockname()[1]
        package = find_spec("prefect")
        if package is None or not package.submodule_search_locations:
            raise ApiServerError("prefect is not installed")
        app_dir = str(Path(next(iter(package.submodule_search_locations))).parent)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _UVICORN_TIED_TO_PARENT, "--app-dir", app_dir, "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1", "MEDCODES_API_SERVER_PARENT": str(os.getpid())},
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout: float | None = None) -> None:
        """Return once the server answers its health check; raise `ApiServerError` if it
        exits or stays silent for `timeout` seconds (default: Prefect's
        `PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS`). Releases the port reservation."""
        if timeout is None:
            timeout = float(os.environ.get(_STARTUP_TIMEOUT, OFFLINE_DEFAULTS[_STARTUP_TIMEOUT]))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ApiServerError(f"the Prefect API server exited with status {self.process.returncode} "
                                         "while starting (its messages are above)")
                try:
                    with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                        if response.status == 200:
                            return
                except (urllib.error.URLError, OSError):
                    pass
                time.sleep(0.1)
            raise ApiServerError(f"the Prefect API server did not answer within {timeout:.0f} s")
        finally:
            self._reservation.close()

    def stop(self) -> None:
        self._reservation.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_api_server() -> ApiServer | None:
    """Start this run's API server and point `PREFECT_API_URL` at it, unless an API may be
    configured or ephemeral servers are switched off (Prefect then decides as it would)."""
    if api_may_be_configured():
        return None
    if os.environ.get("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true").lower() in ("0", "false", "no", "off"):
        return None
    server = ApiServer()
    os.environ["PREFECT_API_URL"] = server.api_url
    return server


@contextmanager
def api_server_for_run() -> Iterator[Callable[[], None]]:
    """`start_api_server()` for the body of a run, stopped when it ends; yields the function
    to call once the imports are done and before the flow starts (it waits for the server,
    or does nothing when Prefect resolves the API itself)."""
    server = start_api_server()
    try:
        yield server.wait_ready if server is not None else (lambda: None)
    finally:
        if server is not None:
            server.stop()
