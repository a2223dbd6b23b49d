"""schemathesis against the API's own OpenAPI document, in-process (WSGI): generated
requests, valid and invalid, must never cause a server error or an answer that breaks
the schema (status codes, content types, headers, bodies)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

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


# One test per operation, named by it ("GET /api/places"). schemathesis' own
# parametrize() gives every operation the same test id, and pytest-xdist, which runs tests
# by id, would then run only one of them.
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_it_conforms_to_its_own_openapi_document(operation, demo, connection_kept):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def conforms(case):
        # The WSGI client asks for gzip but does not decompress: ask for the plain body.
        case.call_and_validate(headers={"Accept-Encoding": "identity"})

    conforms()
