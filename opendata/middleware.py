"""HTTP as clients expect it, for every page and every open-data answer:

- HEAD wherever GET is served (RFC 9110 section 9.3.2): the request is answered as a GET
  and the body dropped, so the headers (ETag, Last-Modified, Content-Length) are exactly
  those of the GET. Django's require_GET and django-ninja's routes only know GET.
- Errors of the API in one shape, RFC 9457 problem details (application/problem+json),
  also for what never reaches django-ninja (an unknown /api/ path, a method not allowed).
- gzip for text answers, except those that carry a CSRF token (BREACH, see
  `CompressionMiddleware`).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

from opendata.problems import PROBLEM_JSON, is_api_path, problem_response

SAFE_REDIRECTS = {301, 302, 303, 304, 307, 308}


class HeadAsGetMiddleware:
    """Answer HEAD as GET without its body. Outermost, so that what runs inside (gzip,
    conditional GET) is the GET's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD":
            return self.get_response(request)
        request.method = "GET"
        request.META["REQUEST_METHOD"] = "GET"
        response = self.get_response(request)
        request.method = request.META["REQUEST_METHOD"] = "HEAD"
        if getattr(response, "streaming", False):
            # A streamed body is not produced for HEAD (its length is not known beforehand).
            # The response itself is kept, not closed here: closing it fires
            # request_finished, which the server fires again when it is done, and which
            # closes the database connection in the middle of the request.
            response.streaming_content = iter(())
        else:
            if not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


class ProblemDetailsMiddleware:
    """Every error under /api/ as application/problem+json, whoever produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api_path(request.path)
            or response.get("Content-Type", "").startswith(PROBLEM_JSON)
        ):
            return response
        detail = ""
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(response.content)
            except ValueError:
                body = {}
            if isinstance(body, dict) and isinstance(body.get("detail"), str):
                detail = body["detail"]
        problem = problem_response(response.status_code, detail)
        for header in ("Allow", "Retry-After", "Vary"):
            if response.has_header(header):
                problem[header] = response[header]
        return problem


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (which already pads its output against the "Heal the
    Breach" attack), but never for an answer that holds a CSRF token: BREACH recovers a
    secret from the compressed size of a page that also reflects attacker-chosen text,
    and a page with the feedback form holds the token. The open data holds no secrets.
    Tiny answers are left as they are (GZipMiddleware skips bodies under 200 bytes)."""

    def process_response(self, request, response):
        if self.holds_csrf_token(response):
            return response
        return super().process_response(request, response)

    @staticmethod
    def holds_csrf_token(response) -> bool:
        """A page that used the token (get_token, {% csrf_token %}) sends the CSRF
        cookie again (Django 4.1+); with the token kept in the session, no HTML page is
        compressed."""
        if settings.CSRF_USE_SESSIONS:
            return response.get("Content-Type", "").startswith("text/html")
        return settings.CSRF_COOKIE_NAME in response.cookies
