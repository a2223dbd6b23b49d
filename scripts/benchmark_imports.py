#!/usr/bin/env python3
"""Benchmark the national data: a script that prints figures, not a test.

    .venv/bin/python scripts/benchmark_imports.py [--file PATH] [--requests N] [--concurrency C]

Prints
1. the time to import the Wikipedia twin-town pairs (25,917 rows) into an empty,
   migrated SQLite database, and into an empty PostgreSQL database (a throw-away server
   started by scripts/with_postgres.py; skipped with a notice if PostgreSQL is missing);
2. requests per second and latency percentiles for the main API list calls, with the
   national data and the demo loaded into SQLite, served by gunicorn on loopback. The
   number of requests is bounded and the server is stopped at the end;
3. the median wall time of starting the command line (`vanort chains --help`,
   `vanort help`) over a few runs: interpreter, Django set-up and the command's imports.
Only the import itself is timed in 1 (not migrations or interpreter start-up).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "wikipedia-twin-cities" / "twin_cities.csv"
CALLS = [
    "/api/relations?page_size=50",
    "/api/pairs?page_size=50",
    "/api/places?page_size=50&country=SE",
]

TIMED_IMPORT = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanort.settings")
django.setup()
from interop.pairs import import_pairs
started = time.perf_counter()
report = import_pairs(sys.argv[1])
elapsed = time.perf_counter() - started
print(f"{elapsed:.2f}\\t{report.rows}\\t{report.places_new}\\t{report.pairs_new}\\t{len(report.refused)}")
"""


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def timed_import(file: Path, env: dict) -> str:
    run([str(BIN / "vanort"), "migrate", "--noinput", "-v", "0"], env)
    return run([sys.executable, "-c", TIMED_IMPORT, str(file)], env).strip()


def describe(label: str, line: str) -> str:
    seconds, rows, places, pairs, refused = line.split("\t")
    return (
        f"{label}: {float(seconds):.2f} s for {rows} rows "
        f"({places} places, {pairs} pairs created, {refused} rows refused)"
    )


def startup_times(env: dict, runs: int) -> None:
    """Median wall time of a command line that only prints its help (after one untimed
    run, so that the bytecode cache is written)."""
    for command in (["chains", "--help"], ["help"]):
        args = [str(BIN / "vanort"), *command]
        run(args, env)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            run(args, env)
            times.append(time.perf_counter() - started)
        label = "vanort " + " ".join(command)
        print(
            f"Start-up of {label:20} median {statistics.median(times):.2f} s "
            f"over {runs} runs (min {min(times):.2f}, max {max(times):.2f})"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def fetch(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
    return time.perf_counter() - started


def load(url: str, requests: int, concurrency: int) -> str:
    for _ in range(10):  # warm up: connections, caches, the workers' first imports
        fetch(url)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = sorted(pool.map(fetch, [url] * requests))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return (
        f"{requests / elapsed:7.1f} req/s   p50 {q[49] * 1000:6.1f} ms   "
        f"p90 {q[89] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   "
        f"max {latencies[-1] * 1000:6.1f} ms"
    )


def serve_and_measure(env: dict, requests: int, concurrency: int, workers: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "vanort.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/api/organisations")
        print(
            f"API under gunicorn ({workers} sync workers, SQLite), {requests} requests "
            f"per call, {concurrency} concurrent clients:"
        )
        for call in CALLS:
            print(f"  GET {call:40} {load(base + call, requests, concurrency)}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--startup-runs", type=int, default=7)
    parser.add_argument("--postgres-import", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"{args.file} is missing")
    base_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    base_env["LOG_LEVEL"] = "ERROR"
    if args.postgres_import:  # inside scripts/with_postgres.py: DATABASE_URL is set
        print(describe("Import into empty PostgreSQL", timed_import(args.file, base_env)))
        return 0
    with tempfile.TemporaryDirectory(prefix="vanort-bench-") as tmp:
        env = dict(
            base_env, DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3", VANORT_VAR_DIR=f"{tmp}/var"
        )
        print(describe("Import into empty SQLite    ", timed_import(args.file, env)))
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "with_postgres.py"),
                "--",
                sys.executable,
                __file__,
                "--postgres-import",
                "--file",
                str(args.file),
            ],
            cwd=ROOT,
            env=base_env,
            check=True,
        )
        run([str(BIN / "vanort"), "load-demo"], env)
        serve_and_measure(env, args.requests, args.concurrency, args.workers)
        startup_times(env, args.startup_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
