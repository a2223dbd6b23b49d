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


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_conforms_to_its_own_openapi_document(case, demo):
    case.call_and_validate()
