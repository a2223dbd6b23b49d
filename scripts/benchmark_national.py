#!/usr/bin/env python3
"""Benchmark the national register (issue 16): a script that prints figures, not a test.

    .venv/bin/python scripts/benchmark_national.py [--file PATH] [--runs N] [--keep DIR]

Builds a fresh SQLite database in a temporary directory: migrations, the demo (Halmstad),
every Wikipedia pair (shared/data), and a GENERATED national register, labelled as such
in its source and organisation names and never shipped as real data: one organisation per
Swedish municipality of national/counties.py (290), each with the partners Wikipedia
reports for it as relations, an agreement and, for every other relation, an activity.

Then, for every national page and list, prints the number of queries, the first request
to that address in this process ("cold": no response cached, nothing of that page's
queries warmed) and the median of N more. One unrelated request is served first, so
Django's own start-up (URL resolver, template loaders, translations) is not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT.parent / "shared" / "data" / "wikipedia-twin-cities" / "twin_cities.csv"


def generate_register() -> int:
    from django.utils.text import slugify

    from interop.models import ReportedPair
    from national.counties import municipalities
    from register.models import (
        Activity,
        ActivityKind,
        Agreement,
        AgreementKind,
        Organisation,
        Place,
        Relation,
        Source,
    )

    source = Source.objects.create(
        title="GENERATED for benchmarking: not real data", document="scripts/benchmark_national.py"
    )
    kinds = list(AgreementKind.objects.order_by("pk"))
    visit = ActivityKind.objects.first()
    taken = set(Organisation.objects.values_list("place_id", flat=True))
    created = 0
    for n, (name, county) in enumerate(municipalities()):
        place = Place.objects.filter(country="SE", name=name).first()
        if place is None:
            place = Place.objects.create(name=name, country="SE", region=county.name_sv)
        if place.pk in taken:
            continue
        org = Organisation.objects.create(
            place=place,
            slug=f"generated-{n}-{slugify(name)}",
            name_sv=f"{name} (genererad)",
            name_en=f"{name} (generated)",
        )
        partners = [
            pair.place_b_id if pair.place_a_id == place.pk else pair.place_a_id
            for pair in ReportedPair.objects.involving(place)
        ]
        if not partners:  # a municipality Wikipedia lists nothing for: two made-up partners
            partners = list(
                Place.objects.exclude(country="SE")
                .order_by("pk")[n * 7 % 9000 :][:2]
                .values_list("pk", flat=True)
            )
        relations = Relation.objects.bulk_create(
            [Relation(organisation=org, partner_id=pid, since="1990") for pid in partners]
        )
        for i, relation in enumerate(relations):
            relation.sources.add(source)
            agreement = Agreement(
                relation=relation, kind=kinds[i % len(kinds)], start=f"{1990 + i}"
            )
            agreement.save()
            if i % 2 == 0:
                activity = Activity.objects.create(
                    organisation=org, kind=visit, date=f"{2015 + (i + n) % 11}"
                )
                activity.relations.set([relation])
        created += len(relations)
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="use (and keep) this directory")
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"The pairs file is not at {args.file} (use --file).")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="vanort-national-"))
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "national.sqlite3"
    fresh = not database.exists()
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        VANORT_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="vanort.settings",
        VANORT_NATIONAL="true",
        DB_CONN_MAX_AGE="600",  # one connection, as a server keeps it (and queries counted)
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from interop.models import ReportedPair
    from register.models import Place, Relation

    if fresh:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        from interop.pairs import import_pairs

        report = import_pairs(args.file)
        print(f"import: {report.rows} rows, {ReportedPair.objects.count()} pairs")
        made = generate_register()
        print(f"generated register: {made} relations, {time.perf_counter() - started:.1f} s")
    relations = Relation.objects.count()
    print(
        f"data: {Place.objects.count()} places, {ReportedPair.objects.count()} reported pairs, "
        f"{relations} relations in {Relation.objects.values('organisation').distinct().count()} "
        "organisations"
    )
    asti = Place.objects.get(name="Asti", country="IT").pk
    halmstad = Place.objects.get(name="Halmstad", country="SE").pk
    urls = [
        "/sv/register/",
        "/sv/register/?page=3",
        "/sv/register/?q=gent",
        "/sv/register/?q=halmstad&source=reported",
        "/sv/register/?source=reported",
        "/sv/register/?county=O&country=DE",
        "/sv/register/?kind=vanortsavtal&status=active",
        "/sv/register/?focus=utbildning",
        "/sv/register/export.csv?country=FI",
        "/sv/register/export.geojson?source=reported&county=N",
        f"/sv/register/ort/{asti}/",
        f"/sv/register/ort/{halmstad}/",
        "/sv/register/land/it/",
        "/sv/register/land/de/",
        "/sv/register/statistik/",
        "/api/national/statistics",
    ]
    client = Client()
    client.get("/sv/halmstad/")  # Django's own start-up, not a national page
    print(f"\n{'queries':>7} {'cold ms':>8} {'median ms':>9}  address")
    worst = 0.0
    for url in urls:
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            response = client.get(url)
            cold = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        worst = max(worst, statistics.median(times))
        print(f"{len(executed):>7} {cold:>8.1f} {statistics.median(times):>9.1f}  {url}")
    print(f"\nworst median: {worst:.1f} ms; database kept in {workdir}" if args.keep else
          f"\nworst median: {worst:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
