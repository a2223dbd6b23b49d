#!/usr/bin/env python3
"""The overview's cold render (issue 14): a script that prints figures, not a test.

    .venv/bin/python scripts/benchmark_render.py [--requests 200] [--profile]

On a throw-away SQLite database (a temporary VANORT_VAR_DIR, `migrate` and `load-demo`),
in this process: /sv/halmstad/ and /en/halmstad/ through Django's test client, the whole
request (middleware, view, templates), with the response cache (vanort/caching.py)
emptied before every request, so each one is rendered afresh. "Cold" is the cache only:
the process is warm (one request first compiles the templates and imports the views).
Prints the median and p90 in ms (wall time, and this process's CPU time, which a busy
machine inflates less) and the queries of one such request; then the queries
again after 45 more partners, which must not change (a fixed count). --profile prints
cProfile's top functions of the Swedish page instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("/sv/halmstad/", "/en/halmstad/")
GOAL_MS = 15


def prepare(tmp: Path) -> None:
    """Django on a fresh SQLite file in `tmp`, migrated, with the demo register."""
    os.environ["VANORT_VAR_DIR"] = str(tmp)
    for name in ("DATABASE_URL", "VANORT_CACHE_URL", "VANORT_ENV", "DEBUG"):
        os.environ.pop(name, None)  # the embedded defaults, as `make run` has them
    # As `make run` makes it (only `migrate` may create the file, vanort/sqlite3).
    vanort = Path(sys.executable).with_name("vanort")
    for command in (["migrate", "--noinput", "-v", "0"], ["load-demo"]):
        subprocess.run([vanort, *command], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vanort.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def cold_get(client, path: str):
    from django.core.cache import caches

    caches["responses"].clear()  # a miss: the page is rendered, not sent from the cache
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: {response.status_code}")
    return response


def timings(client, path: str, requests: int) -> tuple[list[float], list[float]]:
    """(wall, CPU) ms of each request. The CPU time is this process's own: on a machine
    busy with other work it stays what the render costs, where the wall time grows."""
    cold_get(client, path)  # warm-up: templates compiled, views imported
    wall, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        cold_get(client, path)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def queries(client, path: str) -> int:
    # Counted apart from the timed requests: recording queries slows them down.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        cold_get(client, path)
    return len(captured)


def add_partners(count: int) -> None:
    """`count` more published partners, each with an agreement (as tests/test_cache.py)."""
    from register.models import Agreement, AgreementKind, Organisation, Place, Relation

    halmstad = Organisation.objects.get(slug="halmstad")
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    for number in range(count):
        place = Place.objects.create(name=f"Partner {number}", country="DE")
        relation = Relation.objects.create(
            organisation=halmstad, partner=place, since="2001", is_published=True
        )
        Agreement.objects.create(relation=relation, kind=kind, start="2001", is_published=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def profile(client, path: str, requests: int) -> None:
    import cProfile
    import pstats

    cold_get(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        cold_get(client, path)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(60)
    stats.sort_stats("tottime").print_stats(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--profile", action="store_true", help="cProfile the Swedish page")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vanort-render-"))
    try:
        prepare(tmp)
        from django.test import Client

        client = Client()
        if args.profile:
            profile(client, PAGES[0], args.requests)
            return 0
        counts = {}
        for path in PAGES:
            wall, cpu = timings(client, path, args.requests)
            counts[path] = queries(client, path)
            print(
                f"cold render {path}: median {statistics.median(wall):.1f} ms, "
                f"p90 {percentile(wall, 0.9):.1f} ms, {counts[path]} queries "
                f"(goal < {GOAL_MS} ms, fixed)\n"
                f"  CPU time: median {statistics.median(cpu):.1f} ms, "
                f"p90 {percentile(cpu, 0.9):.1f} ms",
                flush=True,
            )
        add_partners(45)
        for path in PAGES:
            more = queries(client, path)
            verdict = "fixed" if more == counts[path] else "NOT FIXED"
            print(f"  with 45 more partners {path}: {more} queries ({verdict})")
        print("load:", Path("/proc/loadavg").read_text().strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
