"""Renewing an agreement from its page in the admin: the next agreement, linked to the
one it renews, with its kind, focus areas, unit and funding carried over
(register/lifecycle.renew); refused with the rule next to its field, nothing saved."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from register.models import Agreement, DecidingBody, Decision, Funding, Relation
from tests.admin_forms import form_data
from tests.conftest import is_postgres


def moshi_agreement() -> Agreement:
    return Agreement.objects.get(relation__partner__name="Moshi")


def renew_url(agreement) -> str:
    return reverse("admin:register_agreement_renew", args=[agreement.pk])


def test_it_renews_from_the_agreements_page(client, alice):
    client.force_login(alice)
    first = moshi_agreement()
    decision = Decision.objects.create(
        relation=first.relation, body=DecidingBody.EXECUTIVE_BOARD, date="2012-02-14"
    )
    page = client.get(reverse("admin:register_agreement_change", args=[first.pk]))
    assert renew_url(first) in page.content.decode()  # the button on the agreement

    form = form_data(client, renew_url(first))
    assert form["start_0"] == ["2012"]  # suggested: where the agreed term ends
    form["decision"] = [str(decision.pk)]
    response = client.post(renew_url(first), form)
    assert response.status_code == 302

    second = first.renewals.get()
    assert response["Location"] == reverse("admin:register_agreement_change", args=[second.pk])
    assert (second.start, second.term_months, second.decision) == ("2012", 48, decision)
    assert second.period_text("sv") == "2012–2016"
    assert set(second.focus_areas.all()) == set(first.focus_areas.all())
    assert [str(f) for f in second.funding.all()] == ["Sida, 100 %"]
    # Who renewed it, in one history row that holds the focus areas; funding too.
    created = second.history.get()
    assert created.history_user == alice
    assert created.focus_areas.count() == first.focus_areas.count()
    assert Funding.history.filter(agreement_id=second.pk, history_user=alice).count() == 1
    # Renewed once: the button is gone and a second renewal is refused.
    page = client.get(reverse("admin:register_agreement_change", args=[first.pk]))
    assert renew_url(first) not in page.content.decode()
    refused = client.post(renew_url(first), {"start_0": "2016", "start_1": "year"})
    assert refused.status_code == 200
    assert "redan förnyats" in refused.content.decode() or "already been renewed" in (
        refused.content.decode()
    )
    assert first.renewals.count() == 1


def test_a_renewal_starting_before_the_agreement_is_refused_next_to_its_field(client, alice):
    client.force_login(alice)
    first = moshi_agreement()
    count = Agreement.objects.count()
    response = client.post(renew_url(first), {"start_0": "2007", "start_1": "year"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["start"]
    assert Agreement.objects.count() == count


def test_only_the_organisations_editors_renew_its_agreements(client, alice, bob, charlie):
    first = moshi_agreement()
    for user in (bob, charlie):  # another organisation's agreement does not exist for them
        client.force_login(user)
        assert client.get(renew_url(first)).status_code == 404
        response = client.post(renew_url(first), {"start_0": "2012", "start_1": "year"})
        assert response.status_code == 404
    assert not first.renewals.exists()


def test_the_decision_is_one_of_the_relations_own(client, alice):
    client.force_login(alice)
    first = moshi_agreement()
    elsewhere = Decision.objects.create(
        relation=Relation.objects.get(partner__name="Stord"),
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2012",
    )
    response = client.post(
        renew_url(first), {"start_0": "2012", "start_1": "year", "decision": elsewhere.pk}
    )
    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    assert not first.renewals.exists()


# --- two "Renew" clicks at the same moment (issue 12 #2) --------------------------------


def test_two_renewals_at_once_make_one_on_postgresql(transactional_db, alice, monkeypatch):
    """Two editors (or one double click) renew the same agreement at the same moment, in
    two threads with connections of their own. Before: both saw no renewal and both
    saved one. Now the agreement's row is locked and a constraint allows one renewal:
    one request gets the renewal, the other the form's refusal, never a 500."""
    if not is_postgres():
        pytest.skip("SQLite writes one transaction at a time (IMMEDIATE) and refuses already")
    first = moshi_agreement()
    decision = Decision.objects.create(
        relation=first.relation, body=DecidingBody.EXECUTIVE_BOARD, date="2012-02-14"
    )
    browsers = []
    for _ in range(2):
        browser = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
        browser.force_login(alice)
        browsers.append(browser)
    form = form_data(browsers[0], renew_url(first))
    form["decision"] = [str(decision.pk)]

    # Widen the window between "is it renewed yet?" and the save, so that the two
    # requests overlap in it every time, as they can by chance in production.
    validate = Agreement.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.5)
        return validate(self, *args, **kwargs)

    monkeypatch.setattr(Agreement, "full_clean", slow_full_clean)
    start = threading.Barrier(2)
    responses = [None, None]

    def click(i: int) -> None:
        try:
            start.wait()
            responses[i] = browsers[i].post(renew_url(first), form)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    codes = sorted(response.status_code for response in responses)
    assert codes == [200, 302], codes
    assert Agreement.objects.filter(renews=first).count() == 1
    refused = next(r for r in responses if r.status_code == 200)
    assert "already been renewed" in refused.content.decode()


def test_the_database_refuses_a_second_renewal_whatever_the_path(alice):
    first = moshi_agreement()
    Agreement.objects.create(relation=first.relation, kind=first.kind, renews=first, start="2012")
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.create(
            relation=first.relation, kind=first.kind, renews=first, start="2013"
        )
