#!/usr/bin/env python3
"""`make benchmark`: the page and the API under load, against nginx and Datasette (issue 14).

    .venv/bin/python scripts/benchmark.py [--seconds 5] [--connections 32] [--rounds 2] [--long]
                                          [--soak MINUTES]

From one run, alternating A and B with wrk on loopback (bounded duration and connections):
1. the page /sv/halmstad/ under `make run`'s server (granian, the command read from the
   Makefile; SQLite, 2 workers, the per-process cache) against nginx serving the same bytes
   as a static file, and for reference that server and gunicorn's sync workers (what
   `make run` used before) sending those bytes from memory: the ceiling of any Python app;
2. the page through the production stack (nginx, two gunicorn instances, PostgreSQL,
   Redis; scripts/stack.py under scripts/with_postgres.py) against nginx static;
3. /api/pairs?country=SE after `vanort import-pairs` of the Wikipedia pairs, against
   Datasette over the same CSV (installed in var/bench-venv, not in the project);
with p50/p99 latency, the cold (first) request, and worker RSS. --long adds 60 s of 64
connections on the page and the API (no errors, p99 under 10 x p50 is the goal);
--soak MINUTES adds that long over many addresses, with the workers' RSS every minute.
The import and start-up figures of earlier issues: scripts/benchmark_imports.py.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # noqa: E402

ROOT = stack.ROOT
BIN = stack.BIN
CSV = ROOT.parent / "shared" / "data" / "wikipedia-twin-cities" / "twin_cities.csv"
PAGE = "/sv/halmstad/"
API = "/api/pairs?country=SE"
BENCH_VENV = ROOT / "var" / "bench-venv"


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    scripted = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         *scripted, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(found[1]), found[2]
        return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": latency(50),
        "p99": latency(99),
        "errors": (errors[1] if errors else "") + (f" non-2xx {non2xx[1]}" if non2xx else ""),
    }


def show(label: str, r: dict) -> str:
    extra = f"  ERRORS {r['errors']}" if r["errors"] else ""
    return (
        f"{label:<34} {r['rps']:>9.0f} req/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms{extra}"
    )


def alternate(a, b, rounds, seconds, connections) -> tuple[dict, dict]:
    """A, B, A, B…: the medians of each, so that the machine's load hits both alike."""
    results = {"A": [], "B": []}
    for _ in range(rounds):
        for name, (label, url) in (("A", a), ("B", b)):
            result = wrk(url, seconds, connections)
            results[name].append(result)
            print("  " + show(f"{name} {label}", result), flush=True)
    pick = {n: sorted(rs, key=lambda r: r["rps"])[len(rs) // 2] for n, rs in results.items()}
    return pick["A"], pick["B"]


def cold(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def rss_mb(master_pid: int) -> list[float]:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024)
    return sizes


def static_copy(url: str, tmp: Path, name: str) -> tuple[subprocess.Popen, str]:
    """nginx serving the bytes of `url` as a file."""
    root = tmp / f"static-{name}"
    (root / "page").mkdir(parents=True)
    with urllib.request.urlopen(url) as response:
        (root / "page" / "index.html").write_bytes(response.read())
    port = stack.free_port()
    process = stack.start_nginx(tmp, stack.static_nginx_config(tmp, port, root), f"static-{name}")
    stack.wait_for(f"http://127.0.0.1:{port}/page/", process=process)
    return process, f"http://127.0.0.1:{port}/page/"


BYTES_APP = """\
from pathlib import Path
BODY = Path(__file__).with_name("page.html").read_bytes()
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]
def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""


def server_bytes(url: str, tmp: Path, server: str) -> tuple[subprocess.Popen, str]:
    """`make run`'s server (granian), or gunicorn with two sync workers as `make run`
    started it before, serving the bytes of `url` from memory with a three-line WSGI app:
    the most any Python app can reach under that server."""
    folder = tmp / f"bytes-app-{server}"
    folder.mkdir()
    with urllib.request.urlopen(url) as response:
        (folder / "page.html").write_bytes(response.read())
    (folder / "bytes_app.py").write_text(BYTES_APP)
    port = stack.free_port()
    if server == "gunicorn":
        command = [str(BIN / "gunicorn"), "bytes_app:application", "--chdir", str(folder),
                   "--bind", f"127.0.0.1:{port}", "--workers", "2"]  # fmt: skip
    else:
        command = stack.make_run_command(port, "bytes_app:application")
    process = subprocess.Popen(
        command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stack.wait_for(f"http://127.0.0.1:{port}/", process=process)
    return process, f"http://127.0.0.1:{port}/"


def datasette(tmp: Path) -> tuple[subprocess.Popen, str]:
    python = BENCH_VENV / "bin" / "python"
    if not (BENCH_VENV / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "datasette"], check=True)
    db = tmp / "twin.db"
    with sqlite3.connect(db) as conn, CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
        conn.execute(f"create table pairs ({', '.join(rows[0])})")
        conn.executemany(f"insert into pairs values ({','.join('?' * len(rows[0]))})", rows[1:])
    port = stack.free_port()
    process = subprocess.Popen(
        [str(BENCH_VENV / "bin" / "datasette"), "serve", str(db), "-p", str(port),
         "-h", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    sql = "select * from pairs where country1 = 'Sweden' or country2 = 'Sweden' limit 50"
    url = f"http://127.0.0.1:{port}/twin.json?" + urllib.parse.urlencode({"sql": sql})
    stack.wait_for(url, process=process)
    return process, url


def make_run_part(args, tmp: Path) -> None:
    env = dict(os.environ, VANORT_VAR_DIR=str(tmp / "var"), DATABASE_URL="")
    env.pop("DATABASE_URL")
    env.pop("VANORT_CACHE_URL", None)
    print("Preparing: migrate, load-demo, import-pairs (SQLite) …", flush=True)
    stack.vanort(["migrate", "--noinput", "-v", "0"], env)
    stack.vanort(["load-demo"], env)
    stack.vanort(["import-pairs", str(CSV)], env)
    stack.vanort(["collectstatic", "--noinput", "-v", "0"], env)
    port = stack.free_port()
    app = stack.start_make_run_server(port, env, log=tmp / "make-run.log")
    base = f"http://127.0.0.1:{port}"
    processes = [app]
    try:
        stack.wait_for(base + "/static/public/site.css", process=app)
        booted = rss_mb(app.pid)
        page_cold, api_cold = cold(base + PAGE), cold(base + API)
        page_warm, api_warm = cold(base + PAGE), cold(base + API)
        nginx, static_url = static_copy(base + PAGE, tmp, "make-run")
        ceiling, ceiling_url = server_bytes(base + PAGE, tmp, "granian")
        before, before_url = server_bytes(base + PAGE, tmp, "gunicorn")
        ds, ds_url = datasette(tmp)
        processes += [nginx, ceiling, before, ds]
        ds_cold = cold(ds_url)
        print(f"\n1. The page under `make run` (A) against nginx static (B), {args.connections} "
              f"connections, {args.seconds} s each")  # fmt: skip
        a, b = alternate(("make run " + PAGE, base + PAGE), ("nginx static", static_url),
                         args.rounds, args.seconds, args.connections)  # fmt: skip
        print(f"   ratio {a['rps'] / b['rps']:.3f} (goal >= 0.3)")
        print("   reference: the same bytes from memory, by make run's server and by gunicorn")
        e, f = alternate(("granian, bytes in memory", ceiling_url), ("nginx static", static_url),
                         1, args.seconds, args.connections)  # fmt: skip
        g, h = alternate(("gunicorn sync, bytes in memory", before_url),
                         ("nginx static", static_url), 1, args.seconds,
                         args.connections)  # fmt: skip
        print(f"   ceiling {e['rps'] / f['rps']:.3f} of nginx (gunicorn's "
              f"{g['rps'] / h['rps']:.3f}); vanort is {a['rps'] / e['rps']:.2f} of it")  # fmt: skip
        print(f"\n3. {API} (A) against Datasette over the same CSV (B)")
        c, d = alternate(("vanort " + API, base + API), ("datasette", ds_url),
                         args.rounds, args.seconds, args.connections)  # fmt: skip
        print(f"   ratio {c['rps'] / d['rps']:.2f} (goal >= 2)")
        print(f"   cold (first request after start): page {page_cold:.0f} ms, API {api_cold:.0f} "
              f"ms, Datasette {ds_cold:.0f} ms; second: page {page_warm:.1f} ms, API "
              f"{api_warm:.1f} ms")  # fmt: skip
        if args.long:
            print("\n   Long run: 60 s of 64 connections")
            for label, url in (("page", base + PAGE), ("API", base + API)):
                r = wrk(url, 60, 64)
                verdict = "ok" if not r["errors"] and r["p99"] < 10 * r["p50"] else "NOT MET"
                print(
                    "  "
                    + show(f"long {label}", r)
                    + f"  p99/p50 {r['p99'] / r['p50']:.1f} {verdict}"
                )
        if args.soak:
            soak(base, app, tmp, args.soak)
        after = rss_mb(app.pid)
        print(f"   worker RSS: {', '.join(f'{s:.0f}' for s in booted)} MB at boot, "
              f"{', '.join(f'{s:.0f}' for s in after)} MB after the load "
              "(goal < 120 MB)")  # fmt: skip
    finally:
        for process in processes:
            stack.stop(process)


SOAK_COUNTRIES = ("SE", "DE", "FI", "NO", "DK", "FR", "PL", "US", "GB", "IT", "ES", "NL", "EE",
                  "LV", "LT", "RU", "UA", "CN", "JP", "TZ")  # fmt: skip
SOAK_PATHS = [
    "/sv/halmstad/", "/en/halmstad/", "/sv/halmstad/aktiviteter/", "/en/halmstad/activities/",
    "/sv/halmstad/kontakt/", "/en/halmstad/contact/", "/sv/halmstad/karta.svg",
    "/api/relations?organisation=halmstad", "/api/organisations",
    *(f"/api/pairs?country={c}&page={n}" for c in SOAK_COUNTRIES for n in range(1, 6)),
]  # fmt: skip
"""Many addresses, so that the response cache fills as under real traffic: 110 entries."""


def soak(base: str, app, tmp: Path, minutes: int) -> None:
    """`minutes` of 64 connections over SOAK_PATHS, RSS of each worker every minute."""
    script = tmp / "soak.lua"
    paths = ", ".join(f'"{path}"' for path in SOAK_PATHS)
    script.write_text(
        f"local paths = {{{paths}}}\n"
        "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
    )
    print(f"\n   Soak: {minutes} min of 64 connections over {len(SOAK_PATHS)} addresses")
    for minute in range(1, minutes + 1):
        r = wrk(base + "/", 60, 64, script)
        sizes = ", ".join(f"{size:.0f}" for size in rss_mb(app.pid))
        print("  " + show(f"minute {minute}", r) + f"  RSS {sizes} MB", flush=True)


def stack_part(args, tmp: Path) -> None:
    """Run under scripts/with_postgres.py (DATABASE_URL set)."""
    with stack.Stack(tmp, os.environ["DATABASE_URL"], instances=2, workers=1) as running:
        nginx, static_url = static_copy(running.nginx_url + PAGE, tmp, "stack")
        try:
            url = running.nginx_url + PAGE
            print("\n2. The page through the production stack (A) against nginx static (B)")
            a, b = alternate(("stack " + PAGE, url), ("nginx static", static_url),
                             args.rounds, args.seconds, args.connections)  # fmt: skip
            print(f"   ratio {a['rps'] / b['rps']:.3f} (goal >= 0.8)")
            sizes = [s for pid in running.app_pids() for s in rss_mb(pid)]
            print(f"   worker RSS after the load: {', '.join(f'{s:.0f}' for s in sizes)} MB")
        finally:
            stack.stop(nginx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="add 60 s of 64 connections")
    parser.add_argument(
        "--soak", type=int, default=0, metavar="MINUTES",
        help="add MINUTES of load over many addresses, RSS every minute",
    )  # fmt: skip
    parser.add_argument("--stack-part", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    tmp = Path(tempfile.mkdtemp(prefix="vanort-bench-"))
    try:
        if args.stack_part:
            stack_part(args, tmp)
            return 0
        print("load:", Path("/proc/loadavg").read_text().strip(), f"({os.cpu_count()} cores)")
        make_run_part(args, tmp)
        passed = [a for a in sys.argv[1:] if a != "--long"]  # --soak: make run's part only
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--", sys.executable,
             __file__, "--stack-part", *passed], check=False,
        )  # fmt: skip
        print("\nload:", Path("/proc/loadavg").read_text().strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
