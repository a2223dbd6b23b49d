"""schemathesis against the API's own OpenAPI document, in-process (WSGI): generated
requests, valid and invalid, must never cause a server error or an answer that breaks
the schema (status codes, content types, headers, bodies)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from vanort.wsgi import application

# Loading the document touches no database, so it can happen at collection time.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def connection_kept():
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction that would end the test's connection (Django's test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_conforms_to_its_own_openapi_document(case, demo, connection_kept):
    # The WSGI client asks for gzip but does not decompress: ask for the plain body.
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
