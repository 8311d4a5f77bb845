"""scripts/serve.py's HAProxy configuration in front of two echo servers: the client address
the app is told (X-Forwarded-For, which the sign-in throttle counts failures by), and the
cookie that keeps a browser on its process."""

from __future__ import annotations

import http.client
import importlib.util
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.server import ROOT, free_port, wait_for_url

spec = importlib.util.spec_from_file_location("serve", ROOT / "scripts" / "serve.py")
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)


def echo_server(name: str) -> ThreadingHTTPServer:
    """Answers every GET with ``name`` and the X-Forwarded-For headers it was sent."""
    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            body = f"{name}|{'|'.join(self.headers.get_all('X-Forwarded-For') or [])}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def proxy(tmp_path):
    backends = [echo_server("p1"), echo_server("p2")]
    port = free_port()
    config = tmp_path / "haproxy.cfg"
    config.write_text(serve.haproxy_config("127.0.0.1", port,
                                           [b.server_address[1] for b in backends]))
    haproxy = subprocess.Popen([serve.haproxy_binary(), "-db", "-f", str(config)])
    try:
        wait_for_url(f"http://127.0.0.1:{port}/_stcore/health", timeout=30)
        yield port
    finally:
        haproxy.terminate()
        haproxy.wait(timeout=10)
        for b in backends:
            b.shutdown()


def get(port: int, source: str, headers: dict | None = None) -> tuple[str, str, str | None]:
    """(backend, X-Forwarded-For it saw, the cookie set) for a GET sent from ``source``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0),
                                            timeout=10)
    connection.request("GET", "/", headers=headers or {})
    response = connection.getresponse()
    backend, forwarded = response.read().decode().split("|", 1)
    cookie = response.getheader("Set-Cookie")
    connection.close()
    return backend, forwarded, cookie


@pytest.mark.parametrize("source, sent, seen", [
    ("127.0.0.2", None, "127.0.0.2"),                  # a client: its address
    ("127.0.0.2", "10.9.9.9", "127.0.0.2"),            # a client's own header: replaced
    ("127.0.0.1", "10.1.2.3", "10.1.2.3"),             # a TLS proxy on this machine: kept
    ("127.0.0.1", None, ""),                           # this machine itself: nothing added
])
def test_the_app_is_told_the_clients_address(proxy, source, sent, seen):
    _, forwarded, _ = get(proxy, source, {"X-Forwarded-For": sent} if sent else None)
    assert forwarded == seen


def test_a_browser_keeps_to_the_process_its_cookie_names(proxy):
    backend, _, cookie = get(proxy, "127.0.0.2")
    assert cookie.startswith(f"{serve.COOKIE}={backend};") and "HttpOnly" in cookie
    for _ in range(6):
        again, _, set_again = get(proxy, "127.0.0.2", {"Cookie": f"{serve.COOKIE}={backend}"})
        assert (again, set_again) == (backend, None)
    other = {"p1": "p2", "p2": "p1"}[backend]
    assert get(proxy, "127.0.0.2", {"Cookie": f"{serve.COOKIE}={other}"})[0] == other


@pytest.mark.parametrize("reuse_port", [False, True])  # True: as HAProxy itself listens
def test_a_launch_on_an_address_in_use_is_refused(reuse_port):
    """A second launch on the port of a running one (a newcomer saw two HAProxies share
    it and split the browsers between two sets of processes) stops at once and says why;
    nothing is started."""
    import socket
    import sys

    with socket.socket() as held:
        if reuse_port:
            held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = subprocess.run([sys.executable, "scripts/serve.py", "--processes", "2",
                                 "--port", str(port)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    assert result.returncode == 1
    assert f"127.0.0.1:{port} 已被占用" in result.stderr
    assert "Streamlit" not in result.stdout + result.stderr  # nothing was started


def test_haproxy_itself_refuses_a_port_in_use(tmp_path):
    """Even past the launcher's own check, HAProxy does not share the port."""
    import socket

    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        config = tmp_path / "haproxy.cfg"
        config.write_text(serve.haproxy_config("127.0.0.1", port, [free_port()]))
        result = subprocess.run([serve.haproxy_binary(), "-db", "-f", str(config)],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode != 0


@pytest.mark.parametrize("args, code, said", [
    (["--port", "99999"], 2, "--port 须在 1–65535 之间"),
    (["--port", "0"], 2, "--port 须在 1–65535 之间"),
    (["--processes", "0"], 2, "--processes 至少为 1"),
    (["--address", "999.1.1.1"], 1, "无法在 999.1.1.1:"),  # not an address: not "in use"
])
def test_a_launch_with_a_bad_address_says_why(args, code, said):
    import sys

    result = subprocess.run([sys.executable, "scripts/serve.py", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == code, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert "已被占用" not in result.stderr
