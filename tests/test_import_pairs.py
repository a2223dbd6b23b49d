"""`vanort import-pairs`: Wikipedia's twin-town pairs (shared/data) as facts reported by
an outside source, with de-duplicated places, ISO country codes, coordinates, refused rows
reported with their lines, and all-or-nothing for a file that cannot be read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from interop.analysis import chains, places_by_id, reciprocity
from interop.errors import ImportRefused
from interop.models import ReportedPair
from interop.pairs import SOURCE_URL, import_pairs
from register.models import Place, Source
from tests.conftest import national_pairs_file

HEADER = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"


def write(tmp_path, body: str, name="pairs.csv", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


def counts() -> tuple[int, int, int]:
    return Place.objects.count(), ReportedPair.objects.count(), Source.objects.count()


@pytest.mark.slow
def test_it_imports_the_real_file_once(demo):
    real_file = national_pairs_file()
    report = import_pairs(real_file)
    assert report.rows == 25917
    refused = report.refused_by_category()
    # With the PlaceMatcher (register/places.py), towns of one name far apart or in
    # different regions are distinct (fewer duplicates than by name and country), and
    # a name without region or coordinates that fits two (Bangor) is refused, not guessed.
    assert refused == {
        "duplicate pair": 1077,
        "unknown country": 53,
        "same place twice": 3,
        "ambiguous place": 2,
    }
    assert report.pairs_new == 25917 - sum(refused.values())
    assert report.places_matched == 6  # Halmstad and its five partners from the demo
    assert report.places_new + report.places_matched == 17165
    halmstad = Place.objects.get(name="Halmstad", country="SE")
    assert halmstad.pk == demo.place_id
    # Country names mapped to ISO codes, the region kept, the coordinates kept.
    hull = Place.objects.get(name="Kingston upon Hull")
    assert (hull.country, hull.region) == ("GB", "England")
    assert Place.objects.filter(name="Tbilisi", country="GE").exists()
    nikopol = Place.objects.get(name="Nikopol", country="UA")
    assert (nikopol.latitude, nikopol.longitude) == (Decimal("47.569200"), Decimal("34.391700"))
    # One place for two spellings.
    assert Place.objects.filter(name__startswith="Biberach an der Ri", country="DE").count() == 1
    source = Source.objects.get(url=SOURCE_URL)
    assert ReportedPair.objects.filter(source=source).count() == report.pairs_new
    # Halmstad–Gentofte–Hanko–Stord: all twinned with each other.
    found = chains(place=halmstad)
    names = places_by_id({pk for group in found for pk in group})
    assert [sorted(names[pk].name for pk in group) for group in found] == [
        ["Gentofte", "Halmstad", "Hanko", "Stord"]
    ]
    result = reciprocity(demo)
    assert [p.name for p in result.reported_not_in_register] == ["Nikopol"]
    assert [p.name for p in result.in_register_not_reported] == ["Asti", "Moshi"]
    # A second run changes nothing.
    before = counts()
    again = import_pairs(real_file)
    assert (again.places_new, again.pairs_new) == (0, 0)
    # A few rows without region or coordinates matched the first place of their name
    # while the first run was creating them, and fit two places on the second run: they
    # are refused as ambiguous then (never guessed); the register does not change.
    assert report.pairs_new - 10 <= again.pairs_existing <= report.pairs_new
    assert counts() == before


def test_it_reports_each_refused_row_with_its_line_and_reason(db, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + "Lund,Sweden,55.7,13.19,Nowhere,Atlantis,1,1\n"
        + "Greifswald,Germany,54.09,13.38,Lund,Sweden,55.7,13.19\n"
        + "Lund,Sweden,55.7,13.19,Lund,Sweden,55.7,13.19\n"
        + "Lund,Sweden,north,13.19,Aarhus,Denmark,56.15,10.2\n"
        + ",Sweden,,,Aarhus,Denmark,56.15,10.2\n"
        + "Lund,Sweden,55.7,13.19,Nicosia,Northern Cyprus,35.1,33.3\n",
    )
    report = import_pairs(path)
    assert [(r.line, r.category) for r in report.refused] == [
        (3, "unknown country"),
        (4, "duplicate pair"),
        (5, "same place twice"),
        (6, "bad coordinate"),
        (7, "missing city"),
        (8, "unknown country"),
    ]
    assert "Atlantis" in report.refused[0].reason
    assert "repeats line 2" in report.refused[1].reason
    assert "lat1" in report.refused[3].reason
    assert ReportedPair.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "encoding", "line", "words"),
    [
        (HEADER + "Malmö,Sweden,55.6,13.0,Tallinn,Estonia,59.4,24.7\n", "latin-1", 2, "UTF-8"),
        ("city1,country1,lat1,lng1,city2,country2,lat2\n", "utf-8", 1, "missing column(s) lng2"),
        (HEADER.strip() + ",note\n", "utf-8", 1, "unknown column(s) note"),
        ("city2,country2,lat2,lng2,city1,country1,lat1,lng1\n", "utf-8", 1, "wrong order"),
        (HEADER + 'Lund,Sweden,55.7,13.19,"Greifswald,Germany,54.09,13.38\n', "utf-8", 2, "CSV"),
        (HEADER + "Lund,Sweden,55.7\n", "utf-8", 2, "has 3 fields"),
        ("", "utf-8", 1, "empty"),
        (HEADER + "\n", "utf-8", 2, "has no rows after its header"),
    ],
)
def test_it_refuses_a_broken_file_and_changes_nothing(db, tmp_path, body, encoding, line, words):
    good = write(
        tmp_path, HEADER + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n", "a.csv"
    )
    import_pairs(good)
    before = counts()
    path = write(tmp_path, body, encoding=encoding)
    with pytest.raises(ImportRefused) as refused:
        import_pairs(path)
    assert refused.value.line == line
    assert words in refused.value.reason
    assert str(path) in str(refused.value)
    assert counts() == before


def test_it_refuses_the_whole_file_in_strict_mode(db, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + "Greifswald,Germany,54.09,13.38,Lund,Sweden,55.7,13.19\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_pairs(path, strict=True)
    assert refused.value.line == 3
    assert "repeats line 2" in str(refused.value)
    assert counts() == (0, 0, 0)


def test_the_command_reports_and_names_the_file_and_line(cli, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + "Lund,Sweden,55.7,13.19,Nowhere,Atlantis,1,1\n",
    )
    result = cli("import-pairs", str(path), "--refused-csv", str(tmp_path / "refused.csv"))
    assert "pairs: 1 (1 new, 0 already imported)" in result.stdout
    assert "unknown country: 1" in result.stdout
    assert f"{path}, line 3: country2:" in result.stdout
    assert "line,category,reason" in (tmp_path / "refused.csv").read_text()
    assert "reading" not in result.stderr  # no progress bar when not on a terminal
    again = cli("import-pairs", str(path))
    assert "pairs: 1 (0 new, 1 already imported)" in again.stdout
    broken = write(tmp_path, "a,b\n", name="broken.csv")
    failed = cli("import-pairs", str(broken), check=False)
    assert failed.returncode != 0
    assert f"{broken}, line 1: missing column(s)" in failed.stderr
    assert "Nothing was imported" in failed.stderr
    chains = cli("chains")
    assert "0 chains of 3 or more places." in chains.stdout


def test_the_command_shows_a_progress_bar_on_a_terminal(vanort_process, tmp_path):
    """stderr on a pseudo-terminal, as when a person runs the command: a subprocess on a
    database of its own, migrated as a new installation is (the suite's one end-to-end
    import)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    from tests.conftest import ROOT, VANORT

    vanort_process("migrate", "--noinput", "-v", "0")
    path = write(tmp_path, HEADER + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n")
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # 80x24
    try:
        result = subprocess.run(
            [VANORT, "import-pairs", str(path)],
            env=vanort_process.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=300,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert b"reading" in shown and b"100%" in shown
    assert b"pairs: 1 (1 new" in result.stdout


def test_reported_pairs_are_read_only_in_the_admin(admin_client, tmp_path):
    path = write(tmp_path, HEADER + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n")
    import_pairs(path)
    listing = admin_client.get("/admin/interop/reportedpair/?q=lund")
    assert listing.status_code == 200
    assert "Greifswald" in listing.content.decode()
    assert admin_client.get("/admin/interop/reportedpair/add/").status_code == 403


# --- limits and refusals (issue 12 #8, #9) ------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x85"])
def test_it_refuses_a_control_character_in_a_name_with_line_and_column(db, tmp_path, character):
    path = write(
        tmp_path,
        HEADER
        + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + f"Lu{character}nd,Sweden,55.7,13.19,Aarhus,Denmark,56.15,10.2\n",
    )
    report = import_pairs(path)
    assert [(r.line, r.category) for r in report.refused] == [(3, "control character")]
    assert report.refused[0].reason.startswith("city1 contains a control character (U+")
    assert Place.objects.filter(name__startswith="Lu").count() == 1
    assert not any(character in name for name in Place.objects.values_list("name", flat=True))


def test_it_exits_non_zero_when_every_row_is_refused(cli, tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "Lund,Atlantis,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + "Lu\x00nd,Sweden,55.7,13.19,Aarhus,Denmark,56.15,10.2\n",
    )
    result = cli("import-pairs", str(path), check=False)
    assert result.returncode != 0
    assert "none of its 2 rows could be used" in result.stderr
    assert "line 2: country1" in result.stderr and "line 3: city1 contains" in result.stderr
    assert "Traceback" not in result.stderr
    assert counts() == (0, 0, 0)


def test_it_refuses_a_file_over_the_size_limit_unless_allowed(cli, tmp_path):
    body = HEADER + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
    path = write(tmp_path, body)
    refused = cli("import-pairs", str(path), "--max-size", "50", check=False)
    assert refused.returncode != 0
    assert "more than the limit of 50 bytes; give --max-size to allow a larger file" in (
        refused.stderr
    )
    assert counts() == (0, 0, 0)
    bad = cli("import-pairs", str(path), "--max-size", "lots", check=False)
    assert bad.returncode != 0 and "is not a size" in bad.stderr
    allowed = cli("import-pairs", str(path), "--max-size", "1kB")
    assert "pairs: 1 (1 new" in allowed.stdout


def test_it_refuses_a_field_longer_than_the_limit(cli, tmp_path):
    huge = "x" * 5000
    path = write(
        tmp_path,
        HEADER
        + "Lund,Sweden,55.7,13.19,Greifswald,Germany,54.09,13.38\n"
        + f"{huge},Sweden,55.7,13.19,Aarhus,Denmark,56.15,10.2\n"
        + f"{'y' * 300},Sweden,55.7,13.19,Aarhus,Denmark,56.15,10.2\n",
    )
    result = cli("import-pairs", str(path))
    assert f"{path}, line 3: a field is longer than 1000 characters" in result.stdout
    assert f"{path}, line 4: city1 is longer than 200 characters" in result.stdout
    assert not Place.objects.filter(name__startswith="xx").exists()
    assert "field too long: 1" in result.stdout and "name too long: 1" in result.stdout


def test_strict_stops_at_the_first_refused_row(db, tmp_path):
    rows = "".join(f"Town{n},Sweden,,,Other{n},Norway,,\n" for n in range(2000))
    path = write(tmp_path, HEADER + "Lund,Atlantis,1,1,Aarhus,Denmark,1,1\n" + rows)
    with pytest.raises(ImportRefused) as refused:
        import_pairs(path, strict=True)
    assert refused.value.line == 2
    assert "--strict" in refused.value.reason
    assert counts() == (0, 0, 0)


def test_matching_uses_the_place_matcher_and_keeps_ids(db, tmp_path):
    """A place with the name in another language is the same place (PlaceMatcher); a
    town of one name far away is another town."""
    from register.models import PlaceName

    porvoo = Place.objects.create(
        name="Porvoo", country="FI", latitude="60.39", longitude="25.66", wikidata_id="Q211"
    )
    PlaceName.objects.create(place=porvoo, language="sv", name="Borgå")
    path = write(
        tmp_path,
        HEADER
        + "Borgå,Finland,60.4,25.7,Lund,Sweden,55.7,13.19\n"
        + "Lund,Sweden,62.2,17.3,Greifswald,Germany,54.09,13.38\n",
    )
    report = import_pairs(path)
    assert report.refused == []
    assert Place.objects.filter(name="Borgå").count() == 0
    assert Place.objects.filter(name="Lund", country="SE").count() == 2
    assert (
        ReportedPair.objects.filter(place_a=porvoo).count()
        + ReportedPair.objects.filter(place_b=porvoo).count()
        == 1
    )
