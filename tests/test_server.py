"""`make run` as a newcomer runs it: the real server (granian), the page fetched over HTTP."""

import os
import signal
import socket
import subprocess
import time
import urllib.request

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_make_run_serves_the_demo_over_http(vanort_process):
    port = free_port()
    env = dict(vanort_process.env, PORT=str(port))
    process = subprocess.Popen(
        ["make", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body = wait_for(f"http://127.0.0.1:{port}/", process).decode()
        assert "Vänorter och samarbetsstäder" in body
        assert "mellan 2008 och 2012 ett kommunalt partnerskap med Moshi" in body
        assert "Ett 100-tal personer deltog, varav cirka 80 ungdomar." in body
        css = wait_for(f"http://127.0.0.1:{port}/static/public/site.css", process)
        assert b"--brand" in css
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
