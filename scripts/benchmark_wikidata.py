#!/usr/bin/env python3
"""Benchmark `vanort import-wikidata` on a generated WDQS answer: a script, not a test.

    .venv/bin/python scripts/benchmark_wikidata.py [--rows 10000] [--places 5000] [--bad 0.01]

Generates an answer to interop.wikidata.P190_QUERY (tests/wikidata_answers.py; never the
network) with `rows` P190 rows over `places` items, a share `bad` of them unusable,
migrates an empty SQLite database, and times the import twice (the second run must
change nothing). Only the import is timed, not migrations or interpreter start-up.
Prints places created and matched, pairs, refusals and the seconds of each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

TIMED_IMPORT = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanort.settings")
django.setup()
from interop.wikidata import import_wikidata
started = time.perf_counter()
report = import_wikidata(sys.argv[1])
elapsed = time.perf_counter() - started
print(f"{elapsed:.2f}\\t{report.rows}\\t{report.places_created}\\t{report.places_matched}\\t"
      f"{report.pairs_new}\\t{report.pairs_unchanged}\\t{len(report.refused)}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--bad", type=float, default=0.01)
    options = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.wikidata_answers import answer, write

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        env["VANORT_VAR_DIR"] = tmp
        subprocess.run([BIN / "vanort", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        path = write(
            Path(tmp) / "answer.json", answer(options.rows, options.places, bad=options.bad)
        )
        size = path.stat().st_size / 1e6
        print(f"answer: {options.rows} rows over {options.places} items, {size:.1f} MB")
        for label in ("first run", "second run"):
            out = subprocess.run(
                [sys.executable, "-c", TIMED_IMPORT, str(path)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            seconds, rows, created, matched, new, unchanged, refused = out.split("\t")
            print(
                f"{label}: {seconds} s; {rows} rows; places {created} created, {matched} "
                f"matched; pairs {new} new, {unchanged} unchanged; {refused} rows refused"
            )


if __name__ == "__main__":
    main()
