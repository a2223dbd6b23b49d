"""RFC 9457 problem details: the one shape of every error the API answers, as Sweden's
REST API profile (DIGG) asks. `type` is "about:blank" (RFC 9457 section 4.2.1: the
problem is just what the HTTP status says, and `title` is its phrase); `errors`, an
extension member, lists what was wrong with each parameter of a 422."""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_JSON = "application/problem+json"
OPEN_DATA_PREFIXES = ("/api/", "/datasets/")


def is_api_path(path: str) -> bool:
    return path.startswith(OPEN_DATA_PREFIXES)


def problem(status: int, detail: str = "", **extensions) -> dict:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
    }
    return body | extensions


def problem_response(status: int, detail: str = "", **extensions) -> HttpResponse:
    return HttpResponse(
        json.dumps(problem(status, detail, **extensions), ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_JSON,
    )
