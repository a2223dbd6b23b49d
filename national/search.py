"""Full-text search over every place name in every language, behind one interface.

- SQLite: FTS5. The virtual table `national_place_search` holds each place's local name
  (rowid 2·id) and its names in other languages (rowid 2·id+1 of the PlaceName), kept in
  sync by triggers (migration 0001), so bulk imports that bypass signals stay findable.
  The unicode61 tokenizer folds case and diacritics: "hango" finds Hangö.
- PostgreSQL: its own text search (to_tsvector('simple', …) @@ a prefix tsquery), over
  the names folded by national_fold() (lower(unaccent()), migration 0003) through GIN
  indexes: "hango" finds Hangö there too.

Every word typed must match the start of a word in one name ("gent" finds Gentofte).
place_ids_matching() returns a lazy queryset of ids: used as a subquery, it adds no
query of its own.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from register.models import Place

FTS_TABLE = "national_place_search"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text or "")[:8]


def place_ids_matching(text: str) -> QuerySet:
    """The ids of places with a name (any language) matching every word of `text`."""
    found = words(text)
    if not found:
        return Place.objects.values_list("pk", flat=True)
    if connection.vendor == "sqlite":
        expression = " ".join(f'"{word}"*' for word in found)
        sql = f"SELECT place_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return Place.objects.filter(pk__in=RawSQL(sql, [expression])).values_list("pk", flat=True)
    if connection.vendor == "postgresql":
        # The expression of the GIN indexes of migration 0003, so that they are used.
        query = " & ".join(f"'{word}':*" for word in found)
        sql = (
            "SELECT id FROM register_place WHERE to_tsvector('simple', national_fold(name))"
            " @@ to_tsquery('simple', national_fold(%s))"
            " UNION SELECT place_id FROM register_placename"
            " WHERE to_tsvector('simple', national_fold(name))"
            " @@ to_tsquery('simple', national_fold(%s))"
        )
        return Place.objects.filter(pk__in=RawSQL(sql, [query, query])).values_list("pk", flat=True)
    # Any other database: every word as a substring of a name.
    condition = Q()
    for word in found:
        condition &= Q(name__icontains=word) | Q(names__name__icontains=word)
    return Place.objects.filter(condition).values_list("pk", flat=True).distinct()
