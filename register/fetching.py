"""Model instances from SQL compiled once, put where prefetch_related would put them.

Django compiles a queryset's SQL each time it runs, and prefetch_related adds about as
much again per lookup: on the public overview that was most of a render (some 0.6 ms a
query, of which the database took 0.05 ms). Here a queryset whose SQL depends only on its
key (an organisation's id, not a list of ids) is compiled once per process and key, run
as a raw query (Django still converts the values: dates, decimals, booleans), and the
caller hands the rows to `attach` and `link`, so that the rest of the code reads
`relation.agreements.all()` and `agreement.kind` without a query, as after a prefetch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, cast

from django.db.models import ForeignKey, Model, QuerySet

OWNER = "fetched_for"  # the column naming the instance a row belongs to (annotated)


@lru_cache(maxsize=1024)
def _compiled(build: Callable[..., QuerySet], key: tuple) -> tuple[type[Model], str, tuple, dict]:
    queryset = build(*key)
    sql, params = queryset.query.sql_with_params()
    return queryset.model, sql, tuple(params), _column_names(queryset)


def _column_names(queryset: QuerySet) -> dict[str, str]:
    """For a UNION, which Django writes with its columns named col1, col2, … in the
    order of the model's fields (the annotations keep their names): those names back
    to the fields' columns, for the raw query to find them."""
    if not queryset.query.combinator:
        return {}
    fields = queryset.model._meta.concrete_fields
    return {f"col{number}": field.column for number, field in enumerate(fields, start=1)}


def rows(build: Callable[..., QuerySet], *key: Any) -> list:
    """The instances `build(*key)` selects, its SQL compiled once per key. `build` must
    select only its model's columns (and annotations): no select_related."""
    model, sql, params, names = _compiled(build, key)
    return list(model._default_manager.raw(sql, params, translations=names))


def by_owner(instances: Iterable[Model]) -> dict[Any, list]:
    """Rows grouped by their OWNER annotation, each group in the query's order."""
    grouped: dict[Any, list] = defaultdict(list)
    for instance in instances:
        grouped[getattr(instance, OWNER)].append(instance)
    return grouped


class Fetched(QuerySet):
    """Rows `attach` put on an instance: read them (iterate, count, test, index), do not
    query them. Filtering one would lose the owner, which the rows came without, and
    answer for every owner; so it is refused, loudly, rather than answered wrongly."""

    def _chain(self):
        raise TypeError(
            "rows fetched by register/fetching.py: read them, or query the model itself"
        )


def attach(owners: Iterable[Model], name: str, related: dict[Any, list]) -> None:
    """`owner.<name>.all()` reads `related[owner.pk]` from now on, as after
    prefetch_related(name): a queryset with its results already there (a Fetched one,
    without the filter a related manager builds: that filter cost more than the rest)."""
    cache_name = model = None
    for owner in owners:
        if cache_name is None:
            manager = getattr(owner, name)
            cache_name, model = _cache_name(manager), manager.model
        queryset: Fetched = Fetched(model)
        queryset._result_cache = related.get(owner.pk, [])
        owner.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


def _cache_name(manager) -> str:
    """Where the manager looks for prefetched rows: a many-to-many manager names it, a
    reverse foreign key's is its field's (as Django's prefetch_one_level finds it)."""
    return getattr(manager, "prefetch_cache_name", None) or manager.field.remote_field.cache_name


def link(instances: Iterable[Model], name: str, targets: dict[Any, Model]) -> None:
    """`instance.<name>` is `targets[instance.<name>_id]` from now on, as after
    select_related(name)."""
    field: ForeignKey | None = None
    for instance in instances:
        field = field or cast(ForeignKey, instance._meta.get_field(name))
        target_id = getattr(instance, field.attname)
        field.set_cached_value(instance, targets.get(target_id) if target_id is not None else None)
