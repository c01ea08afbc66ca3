"""The run's own Prefect API server: started only where no API may be configured, on a port
reserved until it listens, ready when it answers, gone after `stop`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_dies_with_a_killed_run(unconfigured, tmp_path):
    """A run killed outright (SIGKILL: no `finally`) leaves no server listening behind."""
    pid_file = tmp_path / "server.pid"
    run = subprocess.Popen([sys.executable, "-c", (
        "import pathlib, sys, time; from medcodes.api_server import ApiServer\n"
        "server = ApiServer(); server.wait_ready()\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(f'{{server.process.pid}} {{server.port}}')\n"
        "time.sleep(600)\n")])
    try:
        deadline = time.monotonic() + 120
        while not pid_file.exists() and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        server_pid = int(pid_file.read_text().split()[0])
        assert _alive(server_pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 30
        while _alive(server_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(server_pid)  # and with it, its listening socket
    finally:
        run.kill()


def _alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie, already dead and waiting to be reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_prefects_startup_timeout_setting_is_honoured(unconfigured, monkeypatch):
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "1")
    server = ApiServer()  # takes seconds to boot
    try:
        with pytest.raises(ApiServerError, match="did not answer within 1 s"):
            server.wait_ready()
    finally:
        server.stop()
