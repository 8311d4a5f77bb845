"""Serve the dashboard with several Streamlit processes behind one address (issue 18, point 4).

Why: one Streamlit process runs every session's script in threads of one Python process, so
it uses one core however many the machine has. At province scale thirty viewers kept that
core busy for the whole of a 120 s run and a province-wide click waited behind the others
(bench/results/README.md). With N processes the sessions share N cores.

How: N ``streamlit run app.py`` processes listen on free loopback ports, and HAProxy listens
at the address users open (``--address``, ``--port``; by default Streamlit's own, from
.streamlit/config.toml). HAProxy sends a new browser to the process holding the fewest
connections and gives it a cookie (``tongwei_server``) naming that process; everything the
browser sends afterwards goes there. That stickiness is required, not a nicety: a session's
websocket, its uploads and its downloads (kept in the memory of the process that made them)
must all reach the same process. If a process stops answering its health check, HAProxy
sends its browsers to another (they start a new session there).

Shared by the processes: the database file (read-only; each notices an import by itself),
the audit file (serialised and retried across processes: analytics/store/audit_file.py), the
accounts, the sign-in cookie's key (analytics/sessions.py) and a Streamlit cookie secret made
for this launch. Not shared: Streamlit's caches, so memory grows with N.

Run it through ``bash scripts/run.sh --processes N`` (which installs and builds the demo
first); HAProxy is the Debian package ``haproxy`` (scripts/setup.sh installs it).

Before users are let in, each process opens the pages users open first (``WARM_PAGES``) in a
session of its own, as a browser does: the first run of a Streamlit process imports the app
and fills its caches (seconds at province scale), and with several processes each pays it.
Without this, twenty screens arriving after a restart waited up to 7 s (bench/load.py).

Exit: SIGTERM or SIGINT stops every process, exit 0. A Streamlit process that ends after it
has answered is started again on its port; if one ends before it ever answered (it cannot
start: a bad option, a port taken), or HAProxy ends, everything stops and the exit code is 1.
"""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COOKIE = "tongwei_server"
#: URL paths opened once in each process before HAProxy starts: the overview (leaders) and
#: the meeting-room screen. With accounts configured they draw the sign-in page, which
#: still imports the app.
WARM_PAGES = ("", "battle_map")
WARM_TIMEOUT_S = 120.0
#: Each process's DuckDB memory cap when there are several (one process: 1GB, the readers'
#: default). Measured with 2 processes at scale 100, 30 viewers (bench/results/README.md):
#: at 512MB the processes together peaked at 2.2–2.3 GB (RSS), at 256MB at 1.8 GB with the
#: clicks as fast; the price is the first opening of 数据 after an import, whose quality
#: checks read every household-year: 3.6 s instead of 2.3 s.
PROCESS_DB_MEMORY = "256MB"
START_TIMEOUT_S = 120.0

#: HAProxy's configuration. ``timeout tunnel`` is how long an idle websocket is kept (a
#: meeting-room screen holds one all day; it reruns every few seconds, so it is never idle
#: that long); ``httponly`` because no script needs the cookie; no ``log``: addresses carry
#: the filters, and nothing of a request is written anywhere.
HAPROXY_CONFIG = """\
global
    maxconn 4096
    # refuse an address already listened on (by default HAProxy shares it: a second
    # launch would split the browsers between two unrelated sets of processes)
    noreuseport

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 30s
    timeout tunnel 24h
    option redispatch
    retries 3

frontend dashboard
    bind {address}:{port}
    # the client's address for the sign-in throttle (ui/signin.py): a client's own
    # X-Forwarded-For is dropped and replaced, unless it comes from a TLS proxy on this
    # machine, whose header is kept (the README's "Serving over TLS")
    http-request del-header X-Forwarded-For unless {{ src 127.0.0.1 }}
    option forwardfor except 127.0.0.1
    default_backend streamlit

backend streamlit
    balance leastconn
    cookie {cookie} insert indirect nocache httponly attr SameSite=Strict
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
"""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def default_address() -> tuple[str, int]:
    """(address, port) from .streamlit/config.toml's [server], as `streamlit run` uses them."""
    path = ROOT / ".streamlit" / "config.toml"
    server = tomllib.loads(path.read_text(encoding="utf-8")).get("server", {}) if path.exists() else {}
    return server.get("address", "127.0.0.1"), int(server.get("port", 8501))


def haproxy_config(address: str, port: int, backends: list[int]) -> str:
    """The configuration text: ``address:port`` in front of one server per backend port,
    named p1…pN (the cookie's value)."""
    servers = "\n".join(f"    server p{i} 127.0.0.1:{p} check inter 2s cookie p{i}"
                        for i, p in enumerate(backends, start=1))
    return HAPROXY_CONFIG.format(address=address, port=port, cookie=COOKIE, servers=servers)


def warm(port: int, page: str) -> None:
    """Open ``page`` in a new session of the process on ``port`` and wait for its run to
    end, over Streamlit's websocket protocol as its frontend speaks it (a rerun_script
    BackMsg naming the page by URL path). A failure is printed, not raised: a process
    that cannot draw a page still serves the others."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    request = BackMsg()
    request.rerun_script.page_name = page
    request.rerun_script.query_string = ""
    deadline = time.monotonic() + WARM_TIMEOUT_S
    try:
        with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                     max_size=None, open_timeout=30) as ws:
            ws.send(request.SerializeToString())
            while True:
                message = ForwardMsg()
                message.ParseFromString(ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
                if (message.WhichOneof("type") == "script_finished"
                        and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY):
                    return
    except Exception as error:  # noqa: BLE001 - a warm-up is best effort
        print(f"serve: warming /{page} on port {port} failed ({type(error).__name__})",
              file=sys.stderr)


def address_problem(address: str, port: int) -> str | None:
    """Why HAProxy could not listen on ``address:port``, in Chinese, or None when it can:
    something listens there already (a bind without SO_REUSEPORT fails even where the
    listener shares its port, as HAProxy does by default), or the address is not one of
    this machine's."""
    try:
        family = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed one's TIME_WAIT is no user
            s.bind((address, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return f"{address}:{port} 已被占用（也许仪表板已在运行）：请先停止它，或用 --port 换一个端口"
        return f"无法在 {address}:{port} 上监听（{error.strerror or error}）：请检查 --address"
    return None


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


class Launch:
    """The running processes: Streamlit backends by port, and HAProxy."""

    def __init__(self, processes: int, address: str, port: int, streamlit_args: list[str]):
        self.address, self.port = address, port
        self.backends = [free_port() for _ in range(processes)]
        self.streamlit_args = streamlit_args
        # one cookie secret for all (Streamlit signs its own cookies with it), and the port
        # users open, which Streamlit names in what it prints and in its upload replies
        self.env = dict(os.environ, STREAMLIT_SERVER_COOKIE_SECRET=secrets.token_hex(32),
                        STREAMLIT_BROWSER_SERVER_PORT=str(port))
        if processes > 1:  # unless $TONGWEI_DB_MEMORY says otherwise
            self.env.setdefault("TONGWEI_DB_MEMORY", PROCESS_DB_MEMORY)
        self.children: dict[int, subprocess.Popen] = {}  # by port
        self.answered: set[int] = set()  # ports whose current process has answered
        self.haproxy: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="tongwei_serve_"))

    def start_backend(self, port: int) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             *self.streamlit_args], cwd=ROOT, env=self.env)
        self.children[port] = process
        self.answered.discard(port)

    def start(self) -> None:
        for port in self.backends:
            self.start_backend(port)
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = set(self.backends)
        while waiting:
            if time.monotonic() > deadline:
                raise RuntimeError(f"Streamlit did not answer within {START_TIMEOUT_S:g} s "
                                   f"on ports {sorted(waiting)}")
            for port in list(waiting):
                self.check_started(port)
                if port in self.answered:
                    waiting.discard(port)
            time.sleep(0.3)
        started = time.monotonic()
        warmers = [threading.Thread(target=lambda p=port: [warm(p, page) for page in WARM_PAGES])
                   for port in self.backends]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        self.warmed_s = time.monotonic() - started
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(self.address, self.port, self.backends),
                          encoding="utf-8")
        self.haproxy = subprocess.Popen([haproxy_binary(), "-db", "-f", str(config)])
        print(f"serve: {len(self.backends)} Streamlit processes behind "
              f"http://{self.address}:{self.port} (HAProxy); pages opened once in each in "
              f"{self.warmed_s:.1f} s", flush=True)

    def check_started(self, port: int) -> None:
        """Note that the process on ``port`` answers; RuntimeError if it ended before it
        ever did (it cannot start)."""
        if port in self.answered:
            return
        process = self.children[port]
        if process.poll() is not None:
            raise RuntimeError(f"Streamlit 进程（端口 {port}）未能启动，退出码 {process.returncode}："
                               "原因见上方它的输出")
        if healthy(port):
            self.answered.add(port)

    def watch(self) -> int:
        """Start again a backend that ended after it had answered; 1 when HAProxy ended
        (RuntimeError when a backend cannot start)."""
        while True:
            if self.haproxy.poll() is not None:
                print(f"serve: HAProxy ended (exit {self.haproxy.returncode})", file=sys.stderr)
                return 1
            for port, process in list(self.children.items()):
                self.check_started(port)
                if process.poll() is not None:
                    print(f"serve: Streamlit on port {port} ended ({process.returncode}); "
                          "starting it again", file=sys.stderr)
                    self.start_backend(port)
            time.sleep(1)

    def stop(self) -> None:
        running = list(self.children.values())
        if self.haproxy is not None:
            running.append(self.haproxy)
        for process in running:
            if process.poll() is None:
                process.terminate()
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/sbin/haproxy") if Path(p).exists()), None)
    if not found:
        raise SystemExit("serve: 未安装 HAProxy（Debian：apt-get install haproxy；以 root 运行 "
                         "scripts/setup.sh 会安装它）")
    return found


def parsed_args(argv):
    address, port = default_address()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 2,
                        help="Streamlit processes (default: one per core)")
    parser.add_argument("--address", default=address)
    parser.add_argument("--port", type=int, default=port)
    args, streamlit_args = parser.parse_known_args(argv)
    if args.processes < 1:
        parser.error("--processes 至少为 1")
    if not 1 <= args.port <= 65535:
        parser.error("--port 须在 1–65535 之间")
    return args, streamlit_args


def main(argv=None) -> int:
    args, streamlit_args = parsed_args(argv)
    haproxy_binary()  # before anything starts
    problem = address_problem(args.address, args.port)
    if problem:
        print(f"serve: {problem}", file=sys.stderr)
        return 1
    launch = Launch(args.processes, args.address, args.port, streamlit_args)

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    try:
        launch.start()
        return launch.watch()
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    finally:
        launch.stop()


if __name__ == "__main__":
    raise SystemExit(main())
