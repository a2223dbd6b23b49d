#!/usr/bin/env python3
"""Benchmark the annual report and the reminders: a script that prints figures, not a test.

    .venv/bin/python scripts/benchmark_reports.py [--file PATH] [--repeat N]

Into an empty SQLite database in a temporary directory it loads the demo, imports the
Wikipedia twin-town pairs (`vanort import-pairs`) and gives every Swedish town in them a
register (as tests/test_reports_national.py does). It then prints, for Halmstad and for
the town with the most partners: the queries and the median time to compute the report's
figures, to render the HTML page with its three SVG charts, the PDF and the CSV; and the
time `send-reminders` takes over all organisations (e-mail kept in memory).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "wikipedia-twin-cities" / "twin_cities.csv"


def timed(function, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.file.exists():
        sys.exit(f"{args.file}: no such file (give --file)")

    workdir = Path(tempfile.mkdtemp(prefix="vanort-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="vanort.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        VANORT_VAR_DIR=str(workdir),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from register.demo import load_demo
    from register.figures import annual_figures
    from reports.annual import render_csv, render_html, render_pdf, report_context
    from reports.reminders import send_reminders
    from tests.test_reports_national import build_national_register

    call_command("migrate", verbosity=0)
    halmstad = load_demo()
    start = time.perf_counter()
    call_command("import_pairs", str(args.file), "--no-progress", stdout=io.StringIO())
    organisations = build_national_register()
    print(
        f"national register: {len(organisations)} organisations, built in "
        f"{time.perf_counter() - start:.1f} s (import + generation)"
    )
    biggest = max(organisations, key=lambda org: org.relations.count())

    translation.activate("sv")
    for org in (halmstad, biggest):
        print(f"\n{org.name_sv} ({org.relations.count()} relations), report 2010:")
        figures_time, figures_queries = timed(lambda o=org: annual_figures(o, 2010), args.repeat)
        print(f"  figures  {figures_time * 1000:7.0f} ms  {figures_queries} queries")
        html_time, html_queries = timed(
            lambda o=org: render_html(report_context(o, 2010, "sv")), args.repeat
        )
        print(f"  HTML     {html_time * 1000:7.0f} ms  {html_queries} queries (3 SVG charts)")
        pdf_time, _ = timed(lambda o=org: render_pdf(report_context(o, 2010, "sv")), args.repeat)
        print(f"  PDF      {pdf_time * 1000:7.0f} ms")
        csv_time, _ = timed(lambda o=org: render_csv(annual_figures(o, 2010), "sv"), args.repeat)
        print(f"  CSV      {csv_time * 1000:7.0f} ms")

    start = time.perf_counter()
    outcome = send_reminders(today=date(2011, 10, 3), quiet_years=0)
    print(
        f"\nsend-reminders on 2011-10-03 over {len(organisations) + 1} organisations: "
        f"{outcome.reminders} reminders in {outcome.mails} e-mails, "
        f"{time.perf_counter() - start:.2f} s"
    )
    start = time.perf_counter()
    again = send_reminders(today=date(2011, 10, 3), quiet_years=0)
    print(f"second run: {again.reminders} reminders, {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
