"""The admin in Swedish, all of it, as a coordinator sees it (issue 15).

An editor and an administrator of Halmstad, with Swedish chosen, open every admin view
of every model they may see: the list (also searched and filtered), the add form, a
record's change form, its delete confirmation, its history, a historical version (the
revert form), the deleted records and the restore form, the password change, and the
admin's own views (renewing an agreement, the date widget's preview, the search across
the register). The text a person sees or hears (the page's text, button values, title,
aria-label, placeholder and alt attributes) must hold no English interface string.

A catalogue check (tests/test_translations.py) only sees strings that pass through
gettext and are in our .po file; this test reads the rendered pages and so also catches
what never reaches a catalogue: django-simple-history's strings (it has no Swedish),
"None" printed by a template, a model's or field's name given without gettext
("Sources"), the names Django makes up ("Activity_relations object (1)", "historical
relations"), and the English msgid of a string that has a Swedish translation nowhere.
"""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.models import Role
from register.models import Agreement, DecidingBody, Decision, Relation, Source
from tests.conftest import _staff

# Interface strings of Django's admin and django-simple-history, in English, that must
# never be left on a Swedish page. Matched as whole words, case-sensitive.
KNOWN_ENGLISH = [
    "Choose a date",
    "Changed",
    "Created",
    "Deleted",
    "None",
    "Revert",
    "History",
    "Change history",
    "Change reason",
    "Changed by",
    "Comment",
    "Object",
    "entry",
    "entries",
    "Close",
    "Save",
    "Save and add another",
    "Save and continue editing",
    "Save as new",
    "Delete",
    "Add",
    "Add another",
    "Select",
    "Filter",
    "Search",
    "Today",
    "Now",
    "Action",
    "Go",
    "Home",
    "Log out",
    "View site",
    "Change password",
    "Please correct",
    "Press the",
    "This object",
    "Yes",
    "No",
    "All",
    "Show",
    "Hide",
    "Clear",
    "Remove",
    "Available",
    "Chosen",
    "Restore",
    "Publish",
    "Withdraw",
    "Preview",
    "Sources",
    "Source",
    "Place",
    "Relation",
    "Relations",
    "Seen version",
    "Date/time",
    "Deleted records",
    "Nothing",
    "Edit the register",
    "There is a problem",
    "Hanko",  # one name per place: Hangö on a Swedish page
]
# Names Django makes up when a model has none of its own, and simple-history's.
MADE_UP = [
    re.compile(r"\b[A-Z][a-z]+_[a-z_]+ object\b"),  # "Activity_relations object (1)"
    re.compile(r"\bobject \(\d+\)"),
    re.compile(r"\b[Hh]istorical\b"),
    re.compile(r"\b[a-z]+-[a-z]+ relation(er)?\b"),  # "activity-relation relation"
]
# A sentence of English: three words or more, and English function words in it. Catches
# a new string that is in no catalogue yet ("Choose the body that decided").
ENGLISH_WORDS = re.compile(
    r"\b(the|of|and|is|are|with|this|that|not|to|from|your|you|it|has|have|will|was|on|in)\b",
    re.IGNORECASE,
)
CATALOGUES = [
    Path(django.__file__).parent / "contrib/admin/locale/sv/LC_MESSAGES/django.po",
    Path(django.__file__).parent / "contrib/auth/locale/sv/LC_MESSAGES/django.po",
    Path(__file__).resolve().parent.parent / "locale/sv/LC_MESSAGES/django.po",
]


class VisibleText(HTMLParser):
    """What a reader sees or hears: text (not of scripts, styles or text areas: those
    are the record's data), button values and the attributes read out."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._other_language: list[str] = []  # open elements in another language

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "textarea", "template"):
            self._skip += 1
        if a.get("lang") and not a["lang"].startswith("sv") and tag != "html":
            self._other_language.append(tag)  # "English" in the language picker
            self._skip += 1
        for name in ("title", "aria-label", "placeholder", "alt"):
            if a.get(name):
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "template"):
            self._skip -= 1
        if self._other_language and self._other_language[-1] == tag:
            self._other_language.pop()
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    reader = VisibleText()
    reader.feed(html)
    return reader.parts


def english_data() -> list[str]:
    """The register's own English texts (name_en, purpose_en, …): data, not interface."""
    from django.apps import apps

    found = set()
    for model in apps.get_app_config("register").get_models():
        fields = [f.name for f in model._meta.concrete_fields if f.name.endswith("_en")]
        for row in model._base_manager.values_list(*fields) if fields else []:
            found.update(value for value in row if value)
    return sorted(found, key=len, reverse=True)


def english_msgids() -> set[str]:
    """English interface strings whose Swedish differs: seen as such, one is untranslated."""
    found = set()
    for path in CATALOGUES:
        with open(path, "rb") as po:
            for message in read_po(po, locale="sv"):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
                if msgid and msgstr and msgstr != msgid and "%" not in msgid and "{" not in msgid:
                    found.add(msgid.strip())
    return {m for m in found if len(m) > 2}


def english_model_names() -> dict[str, str]:
    """{English name: Swedish name} of every registered model and its fields, where the
    two differ: "Sources" on a Swedish page is a name left in English."""
    names = {}
    models = list(admin.site._registry)
    for model in models:
        for field in [*model._meta.get_fields(include_hidden=False)]:
            label = getattr(field, "verbose_name", None)
            if label is None or field.name in ("id",):
                continue
            with translation.override("en"):
                en = str(label)
            with translation.override("sv"):
                sv = str(label)
            if en.lower() != sv.lower():
                names[en[:1].upper() + en[1:]] = sv
        for attr in ("verbose_name", "verbose_name_plural"):
            with translation.override("en"):
                en = str(getattr(model._meta, attr))
            with translation.override("sv"):
                sv = str(getattr(model._meta, attr))
            if en.lower() != sv.lower():
                names[en[:1].upper() + en[1:]] = sv
    return names


def english_on(parts: list[str], data: list[str], msgids: set[str], names: dict) -> list[str]:
    text = " | ".join(parts)
    for value in data:
        text = text.replace(value, " ")
    found = []
    for phrase in KNOWN_ENGLISH + list(names):
        if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text):
            found.append(phrase)
    for pattern in MADE_UP:
        found += pattern.findall(text)
    for part in text.split(" | "):
        part = part.strip().rstrip(":").strip()
        if part in msgids:
            found.append(part)
        words = re.findall(r"[^\W\d_]+", part)
        if len(words) >= 3 and len(ENGLISH_WORDS.findall(part)) >= 2:
            found.append(part)
    return sorted(set(found))


# --- the views ----------------------------------------------------------------------------


@pytest.fixture
def records(demo):
    """A record of every kind, a changed one (a history of two versions) and a deleted one."""
    relation = Relation.objects.get(partner__name="Stord")
    Decision.objects.create(
        relation=relation,
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2009-03-12",
        reference="KS 2009/12",
    )
    relation.description_sv = "Ändrad beskrivning."
    relation.save()
    gone = Source.objects.create(organisation=demo, title="En källa som tas bort")
    gone.delete()
    return demo


def admin_urls(client, user) -> list[str]:
    """Every admin view the user may open, for every registered model."""
    urls = ["/admin/", reverse("admin:password_change"), reverse("admin:register_search")]
    urls.append(reverse("imprecise_date_preview") + "?value=1994&precision=decade&qualifier=~")
    urls.append(reverse("preview", args=["halmstad", "sv"]))  # the page with the drafts
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        request = type("Request", (), {"user": user, "GET": {}, "META": {}})()
        if not model_admin.has_module_permission(request):
            continue
        if not model_admin.has_view_permission(request):
            continue
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        urls += [changelist, changelist + "?q=a"]
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        for name in ("deleted",):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_{name}"))
        deleted = getattr(model_admin, "deleted_records", None)
        if deleted is not None:
            row = deleted(request).first()
            if row is not None:
                urls.append(reverse(f"admin:{info[0]}_{info[1]}_restore", args=[row.history_id]))
        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        if model_admin.has_delete_permission(request, obj):
            urls.append(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]))
        urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
        history = getattr(model, "history", None)
        if history is not None:
            for version in history.filter(id=obj.pk)[:2]:
                try:
                    urls.append(
                        reverse(
                            "admin:{}_{}_simple_history".format(*info),
                            args=[obj.pk, version.history_id],
                        )
                    )
                except NoReverseMatch:
                    break
    agreement = Agreement.objects.filter(relation__organisation__slug="halmstad").first()
    urls.append(reverse("admin:register_agreement_renew", args=[agreement.pk]))
    return urls


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMINISTRATOR])
def test_every_admin_view_is_in_swedish(client, records, role):
    user = _staff(f"coordinator-{role}", records, role)
    client.force_login(user)
    client.cookies["django_language"] = "sv"
    data, msgids, names = english_data(), english_msgids(), english_model_names()
    urls = admin_urls(client, user)
    assert len(urls) > 60, urls  # every model's views, not a few pages
    problems = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            parts = [str(value) for value in response.json().values()]
        else:
            parts = visible_text(body)
        english = english_on(parts, data, msgids, names)
        if english:
            problems[url] = english
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_a_refused_save_is_in_swedish_too(client, records):
    """The error messages and the summary of a refused save, not only the empty form."""
    from tests.admin_forms import form_data

    user = _staff("coordinator", records, Role.EDITOR)
    client.force_login(user)
    client.cookies["django_language"] = "sv"
    relation = Relation.objects.get(partner__name="Stord")
    url = reverse("admin:register_relation_change", args=[relation.pk])
    data = form_data(client, url)
    data.update(partner="", since_0="1994-13", since_1="edtf")
    response = client.post(url, data)
    assert response.status_code == 200
    english = english_on(
        visible_text(response.content.decode()),
        english_data(),
        english_msgids(),
        english_model_names(),
    )
    assert not english, english


def test_the_checks_catch_what_a_catalogue_cannot():
    """The detector itself: each kind of English the issue found is caught."""
    msgids, names = {"Save and add another", "Choose a date"}, {"Sources": "källor"}
    page = (
        "<h1>Ändringshistorik</h1><p>Choose a date from the list below</p>"
        "<td>Created</td><td>None</td><input type=submit value='Revert'>"
        "<label>Sources:</label><li>Activity_relations object (1)</li>"
        "<a>Historical förbindelser</a><span title='Save and add another'></span>"
        "<p>Link the decision chosen above, or record a new one here: not both.</p>"
    )
    found = english_on(visible_text(page), [], msgids, names)
    for expected in [
        "Choose a date",
        "Created",
        "None",
        "Revert",
        "Sources",
        "Activity_relations object",
        "Historical",
        "Save and add another",
        "Link the decision chosen above, or record a new one here: not both.",
    ]:
        assert expected in found, (expected, found)
    # The register's English data (an English description) is not interface text.
    data_page = "<p>Halmstad has cooperated with Asti on education.</p>"
    assert (
        english_on(
            visible_text(data_page),
            ["Halmstad has cooperated with Asti on education."],
            msgids,
            names,
        )
        == []
    )


def test_the_merge_pages_are_in_swedish_too(client, records):
    """The place merge's choice page, its result and the undo: POSTed actions, so the
    walk over every admin view above does not reach them."""
    from django.contrib.auth import get_user_model

    from register.models import Place, PlaceMerge

    user = get_user_model().objects.create_superuser("merger", "merger@example.se", "x" * 16)
    client.force_login(user)
    client.cookies["django_language"] = "sv"
    keep = Place.objects.get(name="Stord")
    copy = Place.objects.create(name="Stord", country="NO", region="Vestland")
    changelist = reverse("admin:register_place_changelist")
    chosen = {"action": "merge_two_places", "_selected_action": [keep.pk, copy.pk]}
    data, msgids, names = english_data(), english_msgids(), english_model_names()
    pages = {"choice": client.post(changelist, chosen, HTTP_ACCEPT_LANGUAGE="sv")}
    merged = client.post(changelist, {**chosen, "confirm": "yes", "keep": keep.pk}, follow=True)
    pages["merged"] = merged
    merge = PlaceMerge.objects.get()
    pages["undone"] = client.post(
        reverse("admin:register_placemerge_changelist"),
        {"action": "undo_merges", "_selected_action": [merge.pk]},
        follow=True,
    )
    problems = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        english = english_on(visible_text(response.content.decode()), data, msgids, names)
        if english:
            problems[name] = english
    assert merge.undone_at is None and PlaceMerge.objects.get().undone_at is not None
    assert not problems, problems
