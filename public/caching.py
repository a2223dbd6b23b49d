"""The public pages in the response cache (vanort/caching.py): how long a page stays
right by itself, and its conditional GET (ETag, Last-Modified, 304)."""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from django.http import HttpRequest
from django.utils import timezone

from opendata.http import conditional
from vanort import caching


def page_validity(page, now: datetime | None = None) -> tuple[datetime, datetime]:
    """(since when, until when) the page reads as it does now: from the later of the last
    change to the register, midnight and the last opening or closing of a line, to the
    next opening or closing or midnight (agreements start and end on days, so a status
    changes at a midnight too)."""
    now = now or timezone.now()
    since = [caching.last_midnight(now)]
    until = [caching.next_midnight(now)]
    if page.updated:
        since.append(page.updated)
    for line in page.open_lines:
        since.append(line.stretches[0].start)
        if len(line.stretches) > 1:
            until.append(line.stretches[1].start)
    return max(since), min(until)


def cached_page(view):
    """A page view whose answer may be cached: the view hands its page to the request
    (public.views._render), and the answer gets ETag, Last-Modified and its lifetime."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        page = getattr(request, "vanort_page", None)
        if page is None or response.status_code != 200:
            return response
        since, until = page_validity(page)
        caching.cache_until(request, until)
        response = conditional(request, response, since)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return response

    return wrapped
