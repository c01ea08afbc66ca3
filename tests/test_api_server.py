"""The run's own Prefect API server: started only where no API may be configured, on a port
reserved until it listens, ready when it answers, gone after `stop`."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from pathlib import Path

import pytest

from medcodes.api_server import ApiServer, ApiServerError, api_may_be_configured, start_api_server


@pytest.fixture()
def unconfigured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder and Prefect home where nothing names an API."""
    for name in [n for n in os.environ if n.startswith(("PREFECT_API_URL", "PREFECT_PROFILES_PATH"))]:
        monkeypatch.delenv(name)
    home = tmp_path / "prefect-home"
    home.mkdir()
    monkeypatch.setenv("PREFECT_HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_nothing_configured(unconfigured):
    assert not api_may_be_configured()


@pytest.mark.parametrize("where, text", [
    (".env", "PREFECT_API_URL=http://prefect.internal:4200/api\n"),
    ("prefect.toml", "[api]\nurl = 'http://prefect.internal:4200/api'\n"),
    ("pyproject.toml", "[tool.prefect.api]\nurl = 'http://prefect.internal:4200/api'\n"),
    ("../prefect-home/profiles.toml", "active = 'team'\n[profiles.team]\nPREFECT_API_URL = 'http://x:4200/api'\n"),
])
def test_any_place_prefect_reads_an_api_from_counts(unconfigured, where, text):
    (unconfigured / where).write_text(text)
    assert api_may_be_configured()


def test_a_pyproject_without_prefect_settings_does_not_count(unconfigured):
    (unconfigured / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n")
    assert not api_may_be_configured()


def test_an_api_in_the_environment_is_left_to_prefect(unconfigured, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert start_api_server() is None and os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"


def test_server_answers_on_its_reserved_port_and_stops(unconfigured):
    server = ApiServer()
    try:
        with socket.socket() as other, pytest.raises(OSError):  # reserved while the server starts
            other.bind(("127.0.0.1", server.port))
        server.wait_ready()
        with urllib.request.urlopen(f"{server.api_url}/health", timeout=5) as response:
            assert json.load(response) is True
    finally:
        server.stop()
    assert server.process.returncode is not None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=5)


def test_a_server_that_cannot_start_is_a_clear_error(unconfigured, monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{unconfigured}/no/such/dir/x.db")
    server = ApiServer()
    try:
        with pytest.raises(ApiServerError, match="exited with status"):
            server.wait_ready(timeout=120)
    finally:
        server.stop()
