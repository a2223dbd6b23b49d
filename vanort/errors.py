"""The site's own 404, 403, 500 and 503 pages, in the visitor's language.

Pages in the public design (templates/404.html etc., extending public/base.html), in
Swedish or English from the URL's prefix or Accept-Language (LocaleMiddleware). Under
/api/ the answer is application/problem+json (RFC 9457), as the API's other errors.

A database that cannot be reached (PostgreSQL stopped, the SQLite file gone) or stays
locked past the short busy timeout is a 503 with Retry-After, not a 500: the fault is
the service's, passing, and the visitor can try again. None of these pages reads the
database.
"""

from __future__ import annotations

import json
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

log = logging.getLogger("vanort.errors")

DATABASE_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

TITLES = {
    404: lambda: gettext("Page not found"),
    403: lambda: gettext("Access denied"),
    500: lambda: gettext("Something went wrong"),
    503: lambda: gettext("The service is temporarily unavailable"),
}
DETAILS = {
    404: lambda: gettext("There is no page at this address."),
    403: lambda: gettext("You do not have permission to see this page."),
    500: lambda: gettext("An error on our side stopped this page. It has been logged."),
    503: lambda: gettext("The register cannot be read just now. Please try again in a minute."),
}


def _language(request) -> str:
    """The language of the URL's prefix, else what LocaleMiddleware chose, else the
    browser's (an error raised before LocaleMiddleware ran)."""
    prefix = request.path.strip("/").split("/", 1)[0]
    if prefix in ("sv", "en"):
        return prefix
    return getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)


def error_response(request, status: int) -> HttpResponse:
    # override, not activate: the language must not outlive this response in the thread.
    with translation.override(_language(request)):
        return _error_response(request, status)


def _error_response(request, status: int) -> HttpResponse:
    title, detail = TITLES[status](), DETAILS[status]()
    if request.path.startswith("/api/"):
        body = json.dumps(
            {"type": "about:blank", "title": title, "status": status, "detail": detail},
            ensure_ascii=False,
        )
        response = HttpResponse(body, status=status, content_type="application/problem+json")
    else:
        template = loader.get_template(f"{status}.html")
        context = {"title": title, "detail": detail, "status": status, "request": request}
        response = HttpResponse(template.render(context, request), status=status)
        response["Content-Language"] = translation.get_language()
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request, exception=None):
    return error_response(request, 404)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def server_error(request):
    """Django calls this inside the `except` of the failed request: a database fault is a
    503, anything else a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_FAULTS):
        log.error("database unavailable: %s", error)
        return error_response(request, 503)
    return error_response(request, 500)


class DatabaseUnavailableMiddleware:
    """A database fault raised by a view becomes the 503 page (the rest, raised while a
    response renders, reaches server_error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_FAULTS):
            log.error("database unavailable: %s", exception)
            return error_response(request, 503)
        return None
