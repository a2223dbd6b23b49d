"""The revert property (hypothesis): random edits of a record's fields and many-to-many
links, then a revert through the admin to any earlier version, give exactly that version,
field values and links.

Edits are made as the faces make them: one history row for fields and links together
(the admin's forms, importers through register.history.one_row), or a link changed on its
own (simple-history's row per many-to-many change, as from the shell). Texts are as the
admin stores them (no leading or trailing blanks, which its forms strip).

Run with --hypothesis-show-statistics to see how many examples ran."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import Membership
from register import history
from register.demo import load_demo
from register.models import Agreement, FocusArea, Relation, Source
from tests.admin_forms import form_data

REVERT_EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

text = st.text(alphabet="abcåäö ABC.,-0123", max_size=40).map(str.strip)
since = st.sampled_from(["", "2009", "[..2009]", "199X", "2010-05", "2009~", "194X"])
start = st.sampled_from(["2009", "2010", "2008-03", "201X", "2011~"])
ids = st.sets(st.integers(min_value=0, max_value=5))


def edits(fields: dict) -> st.SearchStrategy:
    """One edit: some fields, some links, made in one row or the links on their own."""
    return st.fixed_dictionaries(
        {"how": st.sampled_from(["one row", "links alone"])},
        optional={**fields, "sources": ids},
    )


relation_edit = edits({"description_sv": text, "since": since})
agreement_edit = edits({"purpose_sv": text, "start": start, "focus_areas": ids})


def stored(record) -> tuple[dict, dict]:
    model = type(record)
    fresh = model._base_manager.get(pk=record.pk)
    skip = {"version", "updated_at"}
    fields = {f.attname: getattr(fresh, f.attname) for f in model._meta.concrete_fields}
    return {k: v for k, v in fields.items() if k not in skip}, history.current_many_to_many(fresh)


def as_of(row) -> tuple[dict, dict]:
    model = row.instance_type
    skip = {"version", "updated_at"}
    fields = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
    return {k: v for k, v in fields.items() if k not in skip}, history.many_to_many_as_of(row)


class RevertGivesTheVersion(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.organisation = load_demo()
        cls.editor = User.objects.create_user("editor", "e@example.org", "a-long-Passw0rd-x")
        cls.editor.is_staff = True
        cls.editor.save()
        Membership.objects.create(user=cls.editor, organisation=cls.organisation, role="editor")
        cls.sources = list(Source.objects.filter(organisation=cls.organisation))
        cls.sources += [
            Source.objects.create(organisation=cls.organisation, title=f"Protokoll {n}")
            for n in range(5)
        ]
        cls.areas = list(FocusArea.objects.all()[:6])

    def apply(self, record, edit: dict) -> None:
        targets = {"sources": self.sources, "focus_areas": self.areas}
        links = {
            name: [targets[name][i % len(targets[name])] for i in edit[name]]
            for name in targets
            if name in edit
        }
        values = {k: v for k, v in edit.items() if k not in targets and k != "how"}
        if edit["how"] == "one row":
            with history.one_row(record):
                if values:
                    for name, value in values.items():
                        setattr(record, name, value)
                    record.full_clean()
                    record.save()
                for name, items in links.items():
                    getattr(record, name).set(items)
        else:
            for name, items in links.items():
                getattr(record, name).set(items)  # a row per add and per remove

    def revert_and_compare(self, record, steps: list[dict], pick) -> None:
        for edit in steps:
            self.apply(record, edit)
        rows = list(type(record).history.filter(id=record.pk).order_by("history_date", "pk"))
        target = rows[pick % len(rows)]
        expected = as_of(target)

        client = Client()
        client.force_login(self.editor)
        name = type(record)._meta.model_name
        url = reverse(f"admin:register_{name}_simple_history", args=[record.pk, target.pk])
        response = client.post(url, form_data(client, url))
        assert response.status_code == 302, response.context["adminform"].form.errors

        assert stored(record) == expected
        assert as_of(type(record).history.filter(id=record.pk).latest()) == expected

    @REVERT_EXAMPLES
    @given(steps=st.lists(relation_edit, min_size=1, max_size=5), pick=st.integers(0, 50))
    def test_a_relation_reverted_to_any_version_is_that_version(self, steps, pick):
        record = Relation.objects.get(organisation=self.organisation, partner__name="Asti")
        self.revert_and_compare(record, steps, pick)

    @REVERT_EXAMPLES
    @given(steps=st.lists(agreement_edit, min_size=1, max_size=5), pick=st.integers(0, 50))
    def test_an_agreement_reverted_to_any_version_is_that_version(self, steps, pick):
        record = Agreement.objects.get(
            relation__organisation=self.organisation, kind__code="avsiktsforklaring"
        )
        self.revert_and_compare(record, steps, pick)
