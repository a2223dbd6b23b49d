"""Crafted admin URLs and form values answer 404 or a form error, never 500 (issue 12 #11)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from register.models import Relation
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(user)
    return client


MODELS = [
    "relation",
    "agreement",
    "decision",
    "activity",
    "source",
    "place",
    "organisation",
    "agreementkind",
    "focusarea",
]


@pytest.mark.parametrize("model", MODELS)
def test_malformed_ids_in_admin_urls_are_404(alice, model):
    client = signed_in(alice)
    relation = Relation.objects.filter(organisation=alice.memberships.get().organisation).first()
    for path in (
        f"/admin/register/{model}/abc/history/",
        f"/admin/register/{model}/1x/history/",
        f"/admin/register/{model}/{relation.pk}/history/abc/",
        f"/admin/register/{model}/abc/history/1/",
        f"/admin/register/{model}/abc/change/",
        f"/admin/register/{model}/abc/delete/",
        f"/admin/register/{model}/deleted/abc/restore/",
    ):
        response = client.get(path)
        assert response.status_code in (302, 403, 404), (path, response.status_code)
        if response.status_code == 302:  # Django's "does not exist" message, to the index
            assert "/admin/" in response["Location"], path
    agreement = "/admin/register/agreement/abc/renew/"
    assert client.get(agreement).status_code == 404


@pytest.mark.parametrize("value", ["abc", "1x", "9" * 30, "-1", "1.5", "", "null"])
def test_a_non_numeric_partner_in_a_post_is_a_form_error(alice, value):
    client = signed_in(alice)
    relation = Relation.objects.filter(organisation=alice.memberships.get().organisation).first()
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data["partner"] = value
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    assert "partner" in response.context["adminform"].form.errors
    add = reverse("admin:register_relation_add")
    data = form_data(client, add)
    data["partner"] = value
    response = client.post(add, data)
    assert response.status_code == 200, response.status_code


def test_malformed_ids_in_the_user_admins_urls_are_404(demo, alice):
    from accounts.models import Membership, Role
    from tests.conftest import _staff

    hanna = _staff("hanna", demo, Role.ADMINISTRATOR)
    client = signed_in(hanna)
    membership = Membership.objects.get(user=alice)
    for path in (
        "/admin/accounts/staffuser/abc/history/",
        f"/admin/accounts/staffuser/{alice.pk}/history/abc/",
        "/admin/accounts/membership/abc/history/",
        f"/admin/accounts/membership/{membership.pk}/history/abc/",
        f"/admin/accounts/membership/{membership.pk}/history/{'9' * 30}/",
    ):
        assert client.get(path).status_code == 404, path
