"""Property-based tests (issue 12): random and mutated files fed to import-register and
import-pairs give a clean refusal or a valid import, never a traceback, and a refusal
changes nothing."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interop.errors import ImportRefused
from interop.pairs import import_pairs
from opendata.register_format import RegisterFormatError, read_file, run_import
from tests.test_register_import import EXAMPLE, example, state

REGISTER_EXAMPLES = 60
PAIRS_EXAMPLES = 150
FUZZ = settings(
    max_examples=REGISTER_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12)
    | st.sampled_from(["", "194X", "2023-02-30", "p1", "s1", "r1", "d1", "a1", "kf", "\x00",
                       "vanortsavtal", "nope", "2008/2012", "-1", "Q1", "SE"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5),
                                                                      children, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


ALL_PATHS = list(_paths(example()))[1:]


@st.composite
def mutated_documents(draw):
    document = copy.deepcopy(example())
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = document
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
            if action == "replace":
                parent[path[-1]] = draw(json_values)
            elif action == "delete":
                del parent[path[-1]]
            elif isinstance(parent, list):
                parent.append(copy.deepcopy(parent[path[-1]]))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    return document


def _import_register(path: Path) -> bool:
    """True when imported, False when refused; anything else fails the test."""
    try:
        run_import(read_file(path), str(path))
    except RegisterFormatError as refused:
        assert refused.problems and all(p.reason for p in refused.problems)
        return False
    return True


@FUZZ
@given(document=mutated_documents())
def test_mutated_registers_import_or_are_refused_cleanly(db, document):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "register.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        before = state()
        if not _import_register(path):
            assert state() == before


@FUZZ
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_random_text_as_a_register_is_refused_cleanly(db, text):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "register.json"
        raw = EXAMPLE.read_text(encoding="utf-8")
        cut = len(text) % len(raw)
        path.write_text(raw[:cut] + text, encoding="utf-8")
        before = state()
        if not _import_register(path):
            assert state() == before


HEADER = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
cells = st.text(max_size=8) | st.sampled_from(
    ["Lund", "Sweden", "SE", "Germany", "Greifswald", "55.7", "-91", "13.19", "", "\x00",
     '"', "Lu\nnd", "nan", "1e400", "Atlantis", "x" * 250]
)  # fmt: skip
rows = st.lists(st.lists(cells, min_size=6, max_size=9), max_size=6)


def _pairs_state():
    from interop.models import ReportedPair
    from register.models import Place, PlaceName, Source

    return tuple(m.objects.count() for m in (Place, PlaceName, ReportedPair, Source))


@settings(FUZZ, max_examples=PAIRS_EXAMPLES)
@given(table=rows, header=st.booleans(), tail=st.binary(max_size=20))
def test_random_pairs_files_import_or_are_refused_cleanly(db, table, header, tail):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(table)
    body = (HEADER if header else "") + out.getvalue()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "pairs.csv"
        path.write_bytes(body.encode("utf-8") + tail)
        before = _pairs_state()
        try:
            report = import_pairs(path)
        except ImportRefused as refused:
            assert refused.reason
            assert _pairs_state() == before
            return
        assert report.pairs_new + report.pairs_existing + len(report.refused) == report.rows
        from register.models import Place

        assert not any("\x00" in name for name in Place.objects.values_list("name", flat=True))
