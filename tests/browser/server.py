"""Start and stop a real Streamlit server and a headless Debian Chromium for browser tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_url(url: str, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers 200 (a server that is starting up)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"nothing answered at {url} within {timeout:g} s")


def wait_for_health(port: int, timeout: float = 60.0) -> None:
    wait_for_url(f"http://127.0.0.1:{port}/_stcore/health", timeout)


def start_server(db_path: Path, port: int, log_path: Path, extra_env: dict | None = None,
                 processes: int = 1):
    """`streamlit run app.py` on ``port``; with ``processes`` > 1, scripts/serve.py's
    Streamlit processes behind HAProxy on ``port``. Returns once the address answers."""
    env = dict(os.environ, TONGWEI_DB=str(db_path), **(extra_env or {}))
    log = open(log_path, "ab")
    if processes > 1:
        command = [sys.executable, "scripts/serve.py", "--processes", str(processes),
                   "--port", str(port)]
    else:
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    wait_for_health(port, timeout=60.0 * processes)
    return process


def stop_server(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def running_server(db_path: Path, log_path: Path, extra_env: dict | None = None,
                   processes: int = 1):
    port = free_port()
    process = start_server(db_path, port, log_path, extra_env, processes)
    try:
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop_server(process)


def wait_until_rendered(page, heading: str | None = None, timeout: float = 60000) -> None:
    """Wait for Streamlit to finish a run: prerenderReady, the heading, script state idle."""
    page.wait_for_function("window.prerenderReady === true", timeout=timeout)
    if heading:
        page.get_by_role("heading", name=heading).first.wait_for(timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout)


def refuse_outside(page, base: str, refused: list[str]) -> None:
    """Route every request: the server's pass, anything else is refused and recorded."""
    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()
    page.route("**/*", route)


class At(NamedTuple):
    """A page of the app (its address under the server) at one window size: what a test
    of ``shown`` is parametrized with. Its text is the test's id."""

    address: str
    width: int = 1920
    height: int = 1080

    def __str__(self) -> str:
        return f"{self.address or 'overview'}@{self.width}x{self.height}"
