"""The data version: a token per organisation (and for what they share, and for the whole
installation) that changes in the same transaction as any change to what a published
answer shows. The response cache (vanort/caching.py) keys its entries with it, so a
cached page can never outlive the data it was made from.

Every save, delete and many-to-many change of a register model (and of the outside data
in interop) bumps the tokens of the organisations it touches: the model signals see every
change simple-history records, and also the saves it is told to skip (the admin's
deferred history rows, see register/history.py). Bulk writes, which send no signals, call
`bump_all()` themselves (interop/pairs.py).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

ALL = "all"
SHARED = "shared"

committed = Signal()
"""Sent once a transaction that bumped a version has committed (or at once outside one):
what keeps a copy of published answers outside this process, nginx's (vanort/caching.py),
moves on to the new version."""
WATCHED_APPS = {"register", "interop"}


def scope_of(organisation_id: int) -> str:
    return f"organisation:{organisation_id}"


@dataclass(frozen=True)
class Version:
    """What a cache key needs: the tokens of the scopes an answer depends on."""

    key: str


def _version(rows) -> Version:
    return Version(".".join(f"{scope}={token}" for scope, token in sorted(rows)) or "-")


# Read on every cached request, so in plain SQL on the driver's own cursor: the ORM's
# query compilation cost more than the query itself (about 0.3 ms against 0.02 ms on
# SQLite), and Django's cursor wrapper another 0.03 ms. Two indexed lookups (an OR over
# the join would scan the table).
_FOR_ORGANISATION = (
    "SELECT scope, token FROM {versions} WHERE scope = %s UNION ALL"
    " SELECT v.scope, v.token FROM {versions} v JOIN {organisations} o"
    " ON o.id = v.organisation_id WHERE o.slug = %s"
)
_FOR_EVERYTHING = "SELECT scope, token FROM {versions} WHERE scope = %s"


@functools.lru_cache(maxsize=16)
def _sql(template: str, vendor: str, quote) -> tuple[str, str]:
    """The query for Django's cursor, and for the driver's (SQLite's placeholder is ?)."""
    from register.models import DataVersion, Organisation

    sql = template.format(
        versions=quote(DataVersion._meta.db_table),
        organisations=quote(Organisation._meta.db_table),
    )
    return sql, sql.replace("%s", "?") if vendor == "sqlite" else sql


def _rows(template: str, params: list[str]) -> list[tuple[str, str]]:
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    for_django, for_driver = _sql(template, connection.vendor, connection.ops.quote_name)
    if connection.queries_logged or connection.execute_wrappers:
        # Counted and wrapped like any other query (tests, debug tools).
        with connection.cursor() as cursor:
            cursor.execute(for_django, params)
            return cursor.fetchall()
    # What Django's cursor() does first: the health check, a connection, its errors.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(for_driver, params)
            return cursor.fetchall()
        finally:
            cursor.close()


def for_organisation(slug: str) -> Version:
    """The version of an organisation's pages (its own and the shared one), one query."""
    return _version(_rows(_FOR_ORGANISATION, [SHARED, slug]))


def for_everything() -> Version:
    """The version of the national answers (the API, the exports), one query."""
    return _version(_rows(_FOR_EVERYTHING, [ALL]))


def bump(organisation_ids=None) -> None:
    """A new token for these organisations (None: for what they all share) and for the
    installation, in the caller's transaction."""
    from register.models import DataVersion, Organisation

    _send_committed_once()
    token, now = secrets.token_hex(8), timezone.now()
    wanted = {ALL: None}
    if organisation_ids is None:
        wanted[SHARED] = None
    else:
        wanted.update({scope_of(pk): pk for pk in organisation_ids if pk is not None})
    updated = DataVersion.objects.filter(scope__in=wanted).update(token=token, changed_at=now)
    if updated == len(wanted):
        return
    present = set(DataVersion.objects.filter(scope__in=wanted).values_list("scope", flat=True))
    missing = {scope: pk for scope, pk in wanted.items() if scope not in present}
    # An organisation being deleted has no row to create (its pages are gone).
    existing = set(
        Organisation.objects.filter(
            pk__in=[pk for pk in missing.values() if pk is not None]
        ).values_list("pk", flat=True)
    )
    DataVersion.objects.bulk_create(
        [
            DataVersion(scope=scope, organisation_id=pk, token=token, changed_at=now)
            for scope, pk in missing.items()
            if pk is None or pk in existing
        ],
        ignore_conflicts=True,  # created meanwhile by another transaction: its token is new too
    )


def _send_committed() -> None:
    committed.send(sender=Version)


def _send_committed_once() -> None:
    """One `committed` per transaction, however many saves in it bump a version (an admin
    form with its inlines bumps a dozen times). A callback of a savepoint rolled back is
    dropped with it, so a later bump in the transaction registers again."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is _send_committed for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_send_committed)


def bump_all() -> None:
    """After a bulk write (no signals): every page and answer may have changed."""
    from register.models import DataVersion

    bump(None)
    DataVersion.objects.update(token=secrets.token_hex(8), changed_at=timezone.now())


# --- which organisations a change touches ---------------------------------------------


def organisations_touched(instance) -> set[int] | None:
    """The organisations whose pages show `instance`; None when it is shared (a
    vocabulary, a shared source) or cannot be told, which bumps every organisation."""
    from register.models import Activity, Agreement, Organisation, Place, PlaceName, Relation

    if isinstance(instance, Organisation):
        return {instance.pk}
    if isinstance(instance, Place | PlaceName):
        place_id = instance.pk if isinstance(instance, Place) else instance.place_id
        # A place no organisation shows (an imported partner of others) bumps the API only.
        homes = Organisation.objects.filter(place_id=place_id).values_list("pk", flat=True)
        partners = Relation.objects.filter(partner_id=place_id).values_list(
            "organisation_id", flat=True
        )
        return set(homes) | set(partners)
    if getattr(instance, "organisation_id", None) is not None:
        return {instance.organisation_id}
    if getattr(instance, "relation_id", None) is not None:
        found = Relation.objects.filter(pk=instance.relation_id).values_list(
            "organisation_id", flat=True
        )
        return set(found) or None
    if getattr(instance, "agreement_id", None) is not None:
        through_agreement = Agreement.objects.filter(pk=instance.agreement_id).values_list(
            "relation__organisation_id", flat=True
        )
        return set(through_agreement) or None
    if getattr(instance, "activity_id", None) is not None:
        through_activity = Activity.objects.filter(pk=instance.activity_id).values_list(
            "organisation_id", flat=True
        )
        return set(through_activity) or None
    return None


def _watched(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS or meta.model_name == "dataversion":
        return False
    return not hasattr(sender, "instance_type")  # simple-history's historical models


def _changed(sender, instance, **kwargs) -> None:
    if _watched(sender):
        bump(organisations_touched(instance))


def _links_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear") and _watched(type(instance)):
        bump(organisations_touched(instance))


def connect() -> None:
    """Called once from register's AppConfig.ready()."""
    post_save.connect(_changed, dispatch_uid="vanort-data-version-save")
    post_delete.connect(_changed, dispatch_uid="vanort-data-version-delete")
    m2m_changed.connect(_links_changed, dispatch_uid="vanort-data-version-m2m")
