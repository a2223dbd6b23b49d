"""Property-based tests (hypothesis): the models' validation and the admin's forms get
random strings, dates, EDTF text, counts and coordinates. Every input is either saved
valid or refused with a field error, never a server error.

Run with --hypothesis-show-statistics to see how many examples ran."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import Membership
from register.demo import load_demo
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    Organisation,
    Place,
    Relation,
)

MODEL_EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
FORM_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# EDTF-looking text (years, months, days, decades, uncertainty, intervals) and noise
edtf_like = st.one_of(
    st.from_regex(r"\A-?[0-9X]{1,5}(-[0-9X]{1,2}){0,2}[~?%]?\Z"),
    st.builds(
        "{}/{}".format,
        st.from_regex(r"\A[0-9]{4}(-[0-9]{2})?\Z"),
        st.from_regex(r"\A([0-9]{4}|\.\.)?\Z"),
    ),
    st.from_regex(r"\A\[\.\.[0-9]{4}\]\Z"),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=30),
    st.just(""),
)
counts = st.one_of(st.none(), st.integers(min_value=-10, max_value=3_000_000_000))
coordinates = st.one_of(
    st.none(),
    st.decimals(min_value=-400, max_value=400, places=6, allow_nan=False, allow_infinity=False),
)
country = st.one_of(st.sampled_from(["SE", "se", "IT", "XK", "TZ"]), st.text(max_size=4))
words = st.text(max_size=60)
DAY = "(Mo|Tu|We|Th|Fr|Sa|Su)"


class Halmstad(TestCase):
    """The demo register once per class; each example runs in a transaction of its own."""

    @classmethod
    def setUpTestData(cls):
        cls.organisation = load_demo()
        cls.relation = Relation.objects.filter(organisation=cls.organisation).first()
        cls.kind = AgreementKind.objects.get(code="samarbetsavtal")
        cls.activity_kind = ActivityKind.objects.first()


def saved_or_refused(obj) -> str:
    """Either full_clean passes and the database accepts it, or a field error is named."""
    try:
        obj.full_clean()
    except ValidationError as error:
        assert error.message_dict, error  # errors name a field (or __all__)
        return "refused"
    with transaction.atomic():
        obj.save()
    return "saved"


class ModelValidationTests(Halmstad):
    @MODEL_EXAMPLES
    @given(
        name=words,
        country=country,
        latitude=coordinates,
        longitude=coordinates,
        wikidata=st.one_of(st.just(""), st.from_regex(r"\AQ[0-9]{0,8}\Z"), st.text(max_size=10)),
    )
    def test_a_place(self, name, country, latitude, longitude, wikidata):
        place = Place(
            name=name,
            country=country,
            latitude=latitude,
            longitude=longitude,
            wikidata_id=wikidata,
        )
        if saved_or_refused(place) == "saved":
            stored = Place.objects.get(pk=place.pk)
            assert -90 <= (stored.latitude or 0) <= 90 and -180 <= (stored.longitude or 0) <= 180

    @MODEL_EXAMPLES
    @given(start=edtf_like, end=edtf_like, term=st.one_of(st.none(), st.integers(-5, 40000)))
    def test_an_agreement(self, start, end, term):
        agreement = Agreement(
            relation=self.relation, kind=self.kind, start=start, end=end, term_months=term
        )
        if saved_or_refused(agreement) == "saved":
            agreement.period_text("sv"), agreement.period_text("en")  # writable both ways
            stored = Agreement.objects.get(pk=agreement.pk)
            if stored.start_earliest and stored.end_latest:
                assert stored.start_earliest <= stored.end_latest

    @MODEL_EXAMPLES
    @given(date=edtf_like, participants=counts, young=counts, title=words)
    def test_an_activity(self, date, participants, young, title):
        activity = Activity(
            organisation=self.organisation,
            kind=self.activity_kind,
            date=date,
            participants=participants,
            young_participants=young,
            title_sv=title,
        )
        if saved_or_refused(activity) == "saved":
            activity.participants_text("sv"), activity.young_participants_text("en")
            if participants is not None and young is not None:
                assert young <= participants

    @MODEL_EXAMPLES
    @given(
        hours=st.one_of(
            st.text(max_size=40),
            st.from_regex(
                rf"\A{DAY}(-{DAY})? [0-9]{{2}}:[0-9]{{2}}-[0-9]{{2}}:[0-9]{{2}}(; PH off)?\Z"
            ),
        )
    )
    def test_opening_hours(self, hours):
        organisation = Organisation.objects.get(pk=self.organisation.pk)
        organisation.visitor_hours = hours
        if saved_or_refused(organisation) == "saved":
            organisation.visitor_hours_now()


class AdminFormTests(Halmstad):
    """The same through the admin's forms, as alice posts them."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from django.contrib.auth.models import User

        cls.alice = User.objects.create_user("alice", "alice@example.org", "x", is_staff=True)
        Membership.objects.create(user=cls.alice, organisation=cls.organisation)

    def setUp(self):
        self.browser = Client(raise_request_exception=True)
        self.browser.force_login(self.alice)

    def post(self, url: str, data: dict):
        response = self.browser.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:  # refused: the form names what is wrong
            form = response.context["adminform"].form
            inline_errors = [
                inline.formset.errors for inline in response.context["inline_admin_formsets"]
            ]
            assert form.errors or any(any(e) for e in inline_errors), "a refusal says why"
        return response

    @FORM_EXAMPLES
    @given(
        date=edtf_like,
        participants=counts,
        young=counts,
        title=words,
        host=st.one_of(st.just(""), country),
    )
    def test_the_activity_form(self, date, participants, young, title, host):
        data = {
            "organisation": self.organisation.pk,
            "relations": [self.relation.pk],
            "kind": self.activity_kind.pk,
            "title_sv": title,
            "date": date,
            "participants": "" if participants is None else participants,
            "young_participants": "" if young is None else young,
            "host_country": host,
            "is_published": "on",
            "participants_by_country-TOTAL_FORMS": "0",
            "participants_by_country-INITIAL_FORMS": "0",
        }
        response = self.post("/admin/register/activity/add/", data)
        if response.status_code == 302:
            assert self.browser.get("/sv/halmstad/").status_code == 200

    @FORM_EXAMPLES
    @given(name=words, country=country, latitude=coordinates, longitude=coordinates)
    def test_the_place_form(self, name, country, latitude, longitude):
        data = {
            "name": name,
            "country": country,
            "latitude": "" if latitude is None else str(latitude),
            "longitude": "" if longitude is None else str(longitude),
            "names-TOTAL_FORMS": "0",
            "names-INITIAL_FORMS": "0",
        }
        self.post("/admin/register/place/add/", data)

    @FORM_EXAMPLES
    @given(
        start=edtf_like,
        end=edtf_like,
        term=st.one_of(st.none(), st.integers(-5, 70000)),
        share=st.one_of(st.none(), st.decimals(-50, 500, places=2, allow_nan=False)),
    )
    def test_the_agreement_form(self, start, end, term, share):
        data = {
            "relation": self.relation.pk,
            "kind": self.kind.pk,
            "start": start,
            "end": end,
            "term_months": "" if term is None else term,
            "is_published": "on",
            "funding-TOTAL_FORMS": "1",
            "funding-INITIAL_FORMS": "0",
            "funding-0-funder": "Sida",
            "funding-0-share_percent": "" if share is None else str(share),
        }
        response = self.post("/admin/register/agreement/add/", data)
        if response.status_code == 302:
            assert (
                Decimal(0)
                <= (Agreement.objects.latest("pk").funding.get().share_percent or Decimal(0))
                <= 100
            )
            assert self.browser.get("/sv/halmstad/").status_code == 200
