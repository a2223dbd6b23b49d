"""URLs from outside are http or https and at most as long as the field (issue 12 #6,
the domain part): register.validation.outside_url, which the models' URL fields, and so
full_clean and the admin's forms, ask; the importers are to call it too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from register.models import Organisation, Source
from register.validation import outside_url
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db

REFUSED = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.org/file",
    "//evil.example/",
    "https://example.org/" + "a" * 481,  # 501 characters
]


@pytest.mark.parametrize("url", REFUSED)
def test_the_domain_refuses_a_url_that_is_not_http_or_https_or_too_long(url):
    with pytest.raises(ValidationError):
        outside_url(url)
    source = Source(title="A source", url=url)
    with pytest.raises(ValidationError) as refused:
        source.full_clean()
    assert "url" in refused.value.message_dict


def test_the_message_names_the_rule():
    from django.utils import translation

    def refusal(url: str, lang: str) -> str:
        with translation.override(lang):  # the messages are lazy: read them in `lang`
            try:
                outside_url(url)
            except ValidationError as refused:
                return refused.messages[0]
        raise AssertionError(f"{url} was accepted")

    assert "http:// and https://" in refusal("javascript:alert(1)", "en")
    assert "“javascript:”" in refusal("javascript:alert(1)", "en")
    assert "at most 500 characters" in refusal("https://example.org/" + "a" * 481, "en")
    assert "http:// eller https://" in refusal("javascript:alert(1)", "sv")


@pytest.mark.parametrize(
    "url",
    ["https://www.halmstad.se/", "http://example.org/a?b=c#d", "https://example.org/" + "a" * 480],
)
def test_it_accepts_http_and_https(url):
    assert outside_url(url) == url
    Source(title="A source", url=url).full_clean()


def test_every_url_field_of_the_register_asks_outside_url(demo):
    organisation = Organisation.objects.get(pk=demo.pk)
    organisation.website = "javascript:alert(1)"
    organisation.map_url = "data:text/html,x"
    with pytest.raises(ValidationError) as refused:
        organisation.full_clean()
    assert {"website", "map_url"} <= set(refused.value.message_dict)
    from interop.models import ReportedPair
    from register.models import Decision

    for model, name in [(Decision, "url"), (ReportedPair, "reference_url"), (Source, "url")]:
        field = model._meta.get_field(name)
        with pytest.raises(ValidationError):
            field.clean("javascript:alert(1)", None)


def test_the_admin_refuses_a_javascript_source_with_a_clear_message(alice):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(alice)
    url = reverse("admin:register_source_add")
    data = form_data(client, url)
    data.update(title="Evil", url="javascript:alert(document.cookie)")
    before = Source.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors
    assert Source.objects.count() == before
