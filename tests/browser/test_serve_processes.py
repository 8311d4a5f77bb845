"""Several Streamlit processes behind one address (scripts/serve.py, issue 18, point 4):
browsers are spread over the processes, each keeps to its own (its downloads are in that
process's memory), a process that dies is started again, and a stop stops everything."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.browser.server import (ROOT, free_port, running_server, wait_for_url,
                                  wait_until_rendered)

MAYING_2017 = "townships?year=2017&township=%E9%A9%AC%E8%90%A5%E9%95%87"


@pytest.fixture
def served(demo_db, artifacts):
    """(address, launcher process) of ``scripts/serve.py --processes 2`` on the demo data."""
    with running_server(demo_db, artifacts / "serve.log", processes=2) as served:
        yield served


def streamlit_children(launcher) -> list[psutil.Process]:
    """The launcher's running Streamlit processes (not one killed and not yet reaped)."""
    running = []
    for p in psutil.Process(launcher.pid).children():
        try:
            if "streamlit" in " ".join(p.cmdline()):
                running.append(p)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return running


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.2)


def csv_export(page) -> str:
    """The CSV the page's first 导出 CSV button downloads."""
    with page.expect_download(timeout=60000) as info:
        page.get_by_role("button", name="导出 CSV").first.click()
    return open(info.value.path(), encoding="utf-8-sig").read()


def test_browsers_are_spread_over_the_processes_and_keep_to_theirs(served, browser):
    """Four browsers one after the other, each keeping its websocket open while the next
    arrives: the fewest-connections rule deals two to each process. Each then downloads a
    CSV, which only the process that made it holds: a browser sent to the other process
    would get nothing (1 chance in 16 that four all land right by luck)."""
    url, launcher = served
    contexts, pages, cookies = [], [], []
    try:
        for _ in range(4):
            context = browser.new_context(locale="zh-CN", accept_downloads=True)
            page = context.new_page()
            page.goto(f"{url}/{MAYING_2017}")
            wait_until_rendered(page, "乡镇")
            cookies.append({c["name"]: c["value"] for c in context.cookies()}["tongwei_server"])
            contexts.append(context)
            pages.append(page)
        assert sorted(cookies) == ["p1", "p1", "p2", "p2"], cookies
        for page in pages:
            lines = csv_export(page).splitlines()
            assert lines[0].split(",")[:3] == ["乡镇", "村代码", "村"]
            assert len(lines) > 2 and all(line.startswith("马营镇,") for line in lines[1:])
    finally:
        for context in contexts:
            context.close()


def backend_ports(launcher) -> list[int]:
    ports = []
    for p in streamlit_children(launcher):
        command = p.cmdline()
        ports.append(int(command[command.index("--server.port") + 1]))
    return ports


def test_each_process_has_drawn_the_first_pages_before_anyone_comes(served):
    """Before the address answers, every process has run the overview and the screen once
    (the first run imports the app and fills its caches): Streamlit's own metrics show the
    map built and the data read in each, with no browser yet."""
    url, launcher = served
    ports = backend_ports(launcher)
    assert len(ports) == 2
    for port in ports:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=10) as r:
            metrics = r.read().decode()
        misses = {cache: int(n) for cache, n in re.findall(
            r'cache_lookups_total\{cache="([^"]+)",cache_type="[^"]+",result="miss"\} (\d+)', metrics)}
        assert misses.get("ui.township_map._deck", 0) >= 1, (port, misses)
        assert misses.get("ui.data._run", 0) >= 5, (port, misses)


def test_a_process_that_dies_is_started_again(served, browser):
    url, launcher = served
    first = streamlit_children(launcher)
    assert len(first) == 2
    victim = first[0]
    victim.kill()
    wait_for(lambda: len([p for p in streamlit_children(launcher) if p.pid != victim.pid]) == 2,
             what="the launcher did not start a process again")
    assert launcher.poll() is None
    # the address keeps answering: every new browser gets its page, whichever process
    for _ in range(2):
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(f"{url}/?year=2017")
        wait_until_rendered(page, "总览")
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()


def test_a_stop_stops_every_process(served):
    url, launcher = served
    children = psutil.Process(launcher.pid).children(recursive=True)
    assert len(children) >= 3  # two Streamlit processes and HAProxy
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.pid for p in alive]
    with pytest.raises(TimeoutError):
        wait_for_url(f"{url}/_stcore/health", timeout=1)


def test_a_backend_that_cannot_start_stops_the_launch(demo_db):
    """A Streamlit option it cannot use: exit 1 with the reason, and nothing left running."""
    result = subprocess.run(
        [sys.executable, "scripts/serve.py", "--processes", "2", "--port", str(free_port()),
         "--server.noSuchOption", "1"],
        cwd=ROOT, env=dict(os.environ, TONGWEI_DB=str(demo_db)), capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 1
    assert "未能启动" in result.stderr
