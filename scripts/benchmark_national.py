#!/usr/bin/env python3
"""Benchmark the national register (issue 16): a script that prints figures, not a test.

    .venv/bin/python scripts/benchmark_national.py [--file PATH] [--runs N] [--keep DIR]

Fills a database (see below): migrations, the demo (Halmstad),
every Wikipedia pair (shared/data), and a GENERATED national register, labelled as such
in its source and organisation names and never shipped as real data: one organisation per
Swedish municipality of national/counties.py (290), each with the partners Wikipedia
reports for it as relations, an agreement and, for every other relation, an activity.

Then, for every national page and list, prints the number of queries, the first request
to that address in this process ("cold": no response cached, nothing of that page's
queries warmed) and the median of N more. One unrelated request per language is served
first, so Django's own start-up (URL resolver, template loaders, translations, Babel's
locale data) is not counted.

The database is the current one: DATABASE_URL when it names PostgreSQL (run under
scripts/with_postgres.py), else a SQLite file in the working directory. The generated
data are loaded when the database has no reported pairs yet, then the database is
analysed (ANALYZE) and a new process measures, so that the loading's garbage is not.
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
            [
                Relation(organisation=org, partner_id=pid, since="1990", is_published=True)
                for pid in partners
            ]
        )
        for i, relation in enumerate(relations):
            relation.sources.add(source)
            agreement = Agreement(
                relation=relation,
                kind=kinds[i % len(kinds)],
                start=f"{1990 + i}",
                is_published=True,
            )
            agreement.save()
            if i % 2 == 0:
                activity = Activity.objects.create(
                    organisation=org, kind=visit, date=f"{2015 + (i + n) % 11}", is_published=True
                )
                activity.relations.set([relation])
        created += len(relations)
    return created


def generate_profiles() -> int:
    """A partner profile for every fifth generated municipality and for 40 foreign
    places with Swedish twinnings (GENERATED, as the register is)."""
    from datetime import timedelta

    from django.utils import timezone

    from interop.models import ReportedPair
    from national.models import PartnerProfile
    from register.models import FocusArea, Organisation, Place

    until = timezone.localdate() + timedelta(days=365)
    themes = list(FocusArea.objects.order_by("pk"))
    countries = ["DE", "DK", "FI", "NO", "EE", "LV", "LT", "PL", "FR", "IT"]
    profiles = []
    organisations = Organisation.objects.filter(slug__startswith="generated-").order_by("pk")
    for n, org in enumerate(organisations[::5]):
        profiles.append(PartnerProfile(
            organisation=org, countries=", ".join(countries[n % 10 : n % 10 + 2]),
            population=10000 + 3000 * n, contact_name="GENERATED",
            contact_email=f"generated-{n}@example.org", valid_until=until, is_published=True,
        ))  # fmt: skip
    swedish = Place.objects.filter(country="SE").values("pk")
    foreign = (
        Place.objects.exclude(country="SE")
        .filter(pk__in=ReportedPair.objects.filter(place_a__in=swedish).values("place_b"))
        .order_by("pk")[:40]
    )
    for n, place in enumerate(foreign):
        profiles.append(PartnerProfile(
            place=place, countries="SE", population=8000 + 5000 * n, contact_name="GENERATED",
            contact_email=f"generated-foreign-{n}@example.org", valid_until=until,
            is_published=True,
        ))  # fmt: skip
    for n, profile in enumerate(profiles):
        profile.save()
        profile.themes.set(themes[n % len(themes) :][:2])
    return len(profiles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="use (and keep) this directory")
    parser.add_argument("--remove", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"The pairs file is not at {args.file} (use --file).")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="vanort-national-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        database = workdir / "national.sqlite3"
        database.touch()  # an empty file is an empty database (only migrate may create one)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.update(
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

    call_command("migrate", verbosity=0)
    if not ReportedPair.objects.exists():
        started = time.perf_counter()
        call_command("load_demo", verbosity=0)
        from interop.pairs import import_pairs

        report = import_pairs(args.file)
        print(f"import: {report.rows} rows, {ReportedPair.objects.count()} pairs")
        made = generate_register()
        profiles = generate_profiles()
        print(
            f"generated register: {made} relations, {profiles} partner profiles, "
            f"{time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:  # the planner's statistics, as a live database has
            cursor.execute("ANALYZE")
        # Measure in a new process: this one is full of the loading's garbage.
        connection.close()
        command = [sys.executable, __file__, "--keep", str(workdir), "--runs", str(args.runs),
                   "--file", str(args.file)]  # fmt: skip
        if not args.keep:
            command.append("--remove")
        os.execv(sys.executable, command)
    relations = Relation.objects.count()
    print(
        f"data: {Place.objects.count()} places, {ReportedPair.objects.count()} reported pairs, "
        f"{relations} relations in {Relation.objects.values('organisation').distinct().count()} "
        "organisations"
    )
    asti = Place.objects.get(name="Asti", country="IT").pk
    halmstad = Place.objects.get(name="Halmstad", country="SE").pk
    from national.models import PartnerProfile

    first_profile = PartnerProfile.objects.filter(organisation__isnull=False).order_by("pk")[0].pk
    foreign_profile = PartnerProfile.objects.filter(place__isnull=False).order_by("pk")[0].pk
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
        "/sv/register/soker/",
        "/sv/register/soker/?theme=kultur&country=DE",
        f"/sv/register/soker/{first_profile}/",
        f"/en/register/seeking/{foreign_profile}/",
    ]
    client = Client()
    # Django's own start-up in both languages (URL resolver, templates, translations,
    # Babel's locale data), not a national page.
    client.get("/sv/halmstad/")
    client.get("/en/halmstad/")
    print(f"\ndatabase: {connection.vendor}")
    print(f"{'queries':>7} {'cold ms':>8} {'median ms':>9}  address")
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
    if args.remove:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
        print(f"\nworst median: {worst:.1f} ms")
    else:
        print(f"\nworst median: {worst:.1f} ms; database kept in {workdir}")


if __name__ == "__main__":
    main()
