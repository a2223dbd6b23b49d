"""HTTP plumbing shared by the API's answers: bounded pages with a stable order, and
conditional GET (ETag and Last-Modified, 304 Not Modified)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import wraps

from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from vanort import caching

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 100_000


def page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def paginate(request: HttpRequest, queryset: QuerySet, page: int, page_size: int, serialize):
    """One page of an already ordered queryset: a count query and the page's queries."""
    total = queryset.count()
    start = (page - 1) * page_size
    items = (
        [serialize(item) for item in queryset[start : start + page_size]] if start < total else []
    )
    return {
        "count": total,
        "page": page,
        "page_size": page_size,
        "next": page_url(request, page + 1) if start + page_size < total else None,
        "previous": page_url(request, page - 1) if page > 1 else None,
        "items": items,
    }


def newest(*querysets: QuerySet, history: tuple[QuerySet, ...] = ()) -> datetime | None:
    """The newest updated_at among the querysets, and the newest history_date among the
    `history` querysets (django-simple-history's records, one query each). The history
    holds what updated_at cannot: a deletion, or a record taken out of what is published,
    so that Last-Modified moves then too and If-Modified-Since gets no stale 304."""
    stamps = [qs.aggregate(newest=Max("updated_at"))["newest"] for qs in querysets]
    stamps += [qs.aggregate(newest=Max("history_date"))["newest"] for qs in history]
    stamps = [stamp for stamp in stamps if stamp]
    return max(stamps) if stamps else None


def conditional(request: HttpRequest, response: HttpResponse, last_modified=None):
    """Add a strong ETag (a hash of the body, so it can never be stale) and
    Last-Modified, and answer 304 when the client's copy is current."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return response
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response["ETag"] = etag
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    patch_cache_control(response, public=True, max_age=60)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def conditional_get(last_modified=None):
    """Decorate an API view (with ninja's decorate_view) so its answer carries ETag and
    Last-Modified and a current copy gets 304. `last_modified(**path_params)` gives the
    newest change to what the answer shows."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                # The answer may be cached until midnight (vanort/caching.py): the data
                # version in its key changes with the data, and statuses with the day.
                caching.cache_until(request, caching.next_midnight())
            stamp = (
                last_modified(**kwargs) if last_modified and response.status_code == 200 else None
            )
            return conditional(request, response, stamp)

        return wrapped

    return decorator
