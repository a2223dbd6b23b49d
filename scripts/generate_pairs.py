"""Write a large twin-town pairs CSV for measuring `vanort import-pairs` (issue 12 #9).

    .venv/bin/python scripts/generate_pairs.py [ROWS] [--places N] [--dir DIR]

Writes ROWS (default 1,000,000) distinct pairs among N places (default 50,000, in the
countries the real file uses, with coordinates) into a temporary directory (or DIR) and
prints the file's path. The file is not for committing. To measure:

    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 .venv/bin/vanort migrate -v 0
    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 /usr/bin/time -v \\
        .venv/bin/vanort import-pairs FILE --no-progress --max-size 1GB
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
from pathlib import Path

COUNTRIES = [
    "Sweden", "Norway", "Denmark", "Finland", "Germany", "France", "Italy", "Spain",
    "Poland", "United States", "United Kingdom", "Japan", "China", "Ukraine", "Brazil",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--places", type=int, default=50_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    places = [
        (f"Town {n}", rng.choice(COUNTRIES), round(rng.uniform(-60, 70), 4),
         round(rng.uniform(-170, 170), 4))
        for n in range(args.places)
    ]  # fmt: skip
    directory = args.dir or Path(tempfile.mkdtemp(prefix="vanort-pairs-"))
    path = directory / f"pairs-{args.rows}.csv"
    seen: set[int] = set()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"])
        while len(seen) < args.rows:
            a, b = rng.randrange(args.places), rng.randrange(args.places)
            key = min(a, b) * args.places + max(a, b)
            if a == b or key in seen:
                continue
            seen.add(key)
            writer.writerow([*places[a], *places[b]])
    print(path)


if __name__ == "__main__":
    main()
