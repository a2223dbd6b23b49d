"""An organisation's administrators manage its users in the admin: hanna administers
Halmstad, viktor administers Varberg; alice and bob are editors, charlie belongs to no
organisation. Checked from the outside with the test client, view by view."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Role
from register.models import Organisation, Place, Relation
from tests.admin_forms import form_data
from tests.conftest import _staff

PASSWORD = "Vänort-lösen-2026!"


@pytest.fixture
def hanna(demo):
    """An administrator of Halmstad."""
    return _staff("hanna", demo, Role.ADMINISTRATOR)


@pytest.fixture
def viktor(other_municipality):
    """An administrator of Varberg."""
    return _staff("viktor", other_municipality, Role.ADMINISTRATOR)


def url(name: str, *args) -> str:
    return reverse(f"admin:accounts_staffuser_{name}", args=args)


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_login(user)
    return client


def new_user(client, **changes) -> dict:
    """The add form as the page offers it, filled in as an administrator would."""
    data = form_data(client, url("add"))
    data.update(
        username="nils",
        first_name="Nils",
        last_name="Holgersson",
        email="nils@halmstad.se",
        password1=PASSWORD,
        password2=PASSWORD,
        organisation=str(Organisation.objects.get(slug="halmstad").pk),
        role=Role.EDITOR,
    )
    data.update(changes)
    return data


def field_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def sign_in(username: str, password: str) -> Client:
    """Through the real sign-in page (django-axes watches it)."""
    browser = Client()
    response = browser.post(
        reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 302, f"{username} could not sign in"
    return browser


# --- creating a user ----------------------------------------------------------------


def test_it_lets_an_administrator_create_a_user_who_then_edits_halmstad(hanna, other_municipality):
    client = signed_in(hanna)
    response = client.post(url("add"), new_user(client))

    assert response.status_code == 302, field_errors(response)
    nils = User.objects.get(username="nils")
    assert (nils.is_staff, nils.is_superuser, nils.email) == (True, False, "nils@halmstad.se")
    assert nils.password.startswith("argon2$")
    assert list(Membership.objects.filter(user=nils).values_list("organisation__slug", "role")) == [
        ("halmstad", Role.EDITOR)
    ]
    created = User.history.get(id=nils.pk)
    assert (created.history_type, created.history_user) == ("+", hanna)

    browser = sign_in("nils", PASSWORD)
    relations = browser.get(reverse("admin:register_relation_changelist")).content.decode()
    assert "Stord" in relations  # one of Halmstad's partners
    assert "Sonderborg" not in relations  # Varberg's
    own = Relation.objects.get(partner__name="Stord")
    assert browser.get(reverse("admin:register_relation_change", args=[own.pk])).status_code == 200
    # an editor: no user module for nils
    assert browser.get(url("changelist")).status_code == 403


def test_it_creates_an_administrator_too(hanna):
    client = signed_in(hanna)
    response = client.post(url("add"), new_user(client, role=Role.ADMINISTRATOR))
    assert response.status_code == 302, field_errors(response)
    assert sign_in("nils", PASSWORD).get(url("changelist")).status_code == 200


def test_it_refuses_an_organisation_the_administrator_does_not_administer(hanna, viktor, demo):
    client = signed_in(viktor)
    offered = client.get(url("add")).context["adminform"].form.fields["organisation"].queryset
    assert list(offered) == [Organisation.objects.get(slug="varberg")]
    response = client.post(url("add"), new_user(client, organisation=str(demo.pk)))
    assert list(field_errors(response)) == ["organisation"]
    assert not User.objects.filter(username="nils").exists()


def test_it_refuses_an_organisation_where_the_user_is_only_an_editor(alice, hanna, demo):
    """alice edits Halmstad and administers a second organisation: she may add users
    there only."""
    laholm = Place.objects.create(name="Laholm", country="SE")
    elsewhere = Organisation.objects.create(slug="laholm", place=laholm, name_sv="Laholms kommun")
    Membership.objects.create(user=alice, organisation=elsewhere, role=Role.ADMINISTRATOR)
    client = signed_in(alice)
    response = client.post(url("add"), new_user(client, organisation=str(demo.pk)))
    assert list(field_errors(response)) == ["organisation"]
    response = client.post(url("add"), new_user(client, organisation=str(elsewhere.pk)))
    assert response.status_code == 302
    assert Membership.objects.get(user__username="nils").organisation == elsewhere


@pytest.mark.parametrize(
    "first, second, error",
    [
        (PASSWORD, PASSWORD + "x", "didn’t match"),
        ("kort", "kort", "too short"),
        ("halmstad", "halmstad", "too short"),  # issue 12 #12: it used to pass
        ("Ny-Lösen-26", "Ny-Lösen-26", "at least 12 characters"),  # 11 characters
        ("password123", "password123", "too common"),
        ("12345678901", "12345678901", "entirely numeric"),
        ("nilsholgersson", "nilsholgersson", "too similar"),
        ("", "", "required"),
    ],
)
def test_it_refuses_a_weak_or_mistyped_password_next_to_its_field(hanna, first, second, error):
    client = signed_in(hanna)
    before = (User.objects.count(), Membership.objects.count(), User.history.count())
    response = client.post(url("add"), new_user(client, password1=first, password2=second))
    errors = field_errors(response)
    assert any(error in message for message in errors.get("password2", [])), errors
    assert (User.objects.count(), Membership.objects.count(), User.history.count()) == before


def test_it_refuses_an_existing_username_and_points_to_memberships(hanna, bob):
    client = signed_in(hanna)
    for taken in ("bob", "BOB"):
        response = client.post(url("add"), new_user(client, username=taken))
        [message] = field_errors(response)["username"]
        assert "exists already" in message and "Memberships" in message
    bob.refresh_from_db()
    assert list(Membership.objects.filter(user=bob).values_list("organisation__slug")) == [
        ("varberg",)
    ]
    swedish = signed_in(hanna, "sv").post(url("add"), new_user(client, username="bob"))
    assert "Medlemskap" in field_errors(swedish)["username"][0]


def test_it_offers_no_superuser_staff_group_or_permission_field(hanna, alice):
    client = signed_in(hanna)
    for page in (url("add"), url("change", alice.pk)):
        html = client.get(page).content.decode()
        for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert f'name="{field}"' not in html, (page, field)
    sneaky = new_user(client, is_superuser="on", groups="1", user_permissions="1")
    assert client.post(url("add"), sneaky).status_code == 302
    nils = User.objects.get(username="nils")
    assert not nils.is_superuser and not nils.groups.exists()
    assert not nils.user_permissions.exists()
    data = form_data(client, url("change", alice.pk))
    client.post(url("change", alice.pk), {**data, "is_superuser": "on", "is_staff": ""})
    alice.refresh_from_db()
    assert (alice.is_superuser, alice.is_staff) == (False, True)


@pytest.fixture
def failing_membership(db):
    """A real database trigger that refuses every new membership, as a full disk or a
    lost connection would: it fails after the user's row was written."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_membership BEFORE INSERT ON accounts_membership "
                "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_membership() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by trigger'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_membership BEFORE INSERT ON accounts_membership "
                "FOR EACH ROW EXECUTE FUNCTION refuse_membership()"
            )


def test_it_leaves_no_user_when_the_membership_fails(hanna, failing_membership):
    client = signed_in(hanna)
    data = new_user(client)
    before = (User.objects.count(), User.history.count(), Membership.history.count())
    response = client.post(url("add"), data)
    assert response.status_code == 500
    assert not User.objects.filter(username="nils").exists()
    after = (User.objects.count(), User.history.count(), Membership.history.count())
    assert after == before


# --- the list, and who sees it --------------------------------------------------------


def test_it_lists_only_the_users_of_the_administered_organisations(
    hanna, alice, bob, charlie, viktor
):
    listing = signed_in(hanna).get(url("changelist"))
    assert listing.status_code == 200
    shown = {user.username for user in listing.context["cl"].result_list}
    assert shown == {"alice", "hanna"}
    page = listing.content.decode()
    assert "Halmstad Municipality (editor)" in page
    assert "Halmstad Municipality (administrator)" in page
    # each user's memberships are one click away
    memberships = reverse("admin:accounts_membership_changelist") + f"?user__id__exact={alice.pk}"
    assert memberships in page
    listed = signed_in(hanna).get(memberships).context["cl"].result_list
    assert [m.user for m in listed] == [alice]
    # viktor sees Varberg's
    shown = {u.username for u in signed_in(viktor).get(url("changelist")).context["cl"].result_list}
    assert shown == {"bob", "viktor"}


def test_it_lists_everyone_to_a_superuser(hanna, alice, bob, charlie):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    listing = signed_in(root).get(url("changelist"))
    shown = {user.username for user in listing.context["cl"].result_list}
    assert shown == {"alice", "bob", "charlie", "hanna", "root"}


def test_the_list_issues_as_many_queries_for_many_users(hanna, demo):
    client = signed_in(hanna)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("changelist")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        _staff(f"user{n}", demo, Role.EDITOR)
    assert queries() == few


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_it_shows_the_module_to_no_editor_and_no_user_without_organisation(
    request, who, hanna, viktor
):
    client = signed_in(request.getfixturevalue(who))
    colleague = hanna.pk
    for page in (
        url("changelist"),
        url("add"),
        url("change", colleague),
        url("delete", colleague),
        url("history", colleague),
    ):
        assert client.get(page).status_code == 403, page
    assert client.post(url("add"), {"username": "x"}).status_code == 403
    assert client.post(url("change", colleague), {"first_name": "X"}).status_code == 403
    assert client.post(url("delete", colleague), {"post": "yes"}).status_code == 403
    assert url("changelist") not in client.get(reverse("admin:index")).content.decode()
    hanna.refresh_from_db()
    assert hanna.first_name == "" and User.objects.filter(pk=colleague).exists()


def test_the_module_appears_on_an_administrators_index(hanna):
    assert url("changelist") in signed_in(hanna).get(reverse("admin:index")).content.decode()


# --- another municipality's users ---------------------------------------------------------


def test_another_municipalitys_administrator_cannot_see_or_change_halmstads_users(viktor, alice):
    client = signed_in(viktor)
    assert client.get(url("change", alice.pk)).status_code == 302  # "does not exist"
    data = {"first_name": "Övertagen", "email": "viktor@example.org", "is_active": ""}
    data |= {"new_password1": PASSWORD, "new_password2": PASSWORD}
    assert client.post(url("change", alice.pk), data).status_code == 302
    assert client.get(url("history", alice.pk)).status_code == 404
    assert client.get(url("delete", alice.pk)).status_code == 403
    alice.refresh_from_db()
    assert (alice.first_name, alice.is_active, alice.check_password(PASSWORD)) == ("", True, False)


def test_it_only_shows_a_user_who_also_works_for_another_municipality(
    hanna, alice, other_municipality
):
    Membership.objects.create(user=alice, organisation=other_municipality, role=Role.EDITOR)
    client = signed_in(hanna)
    listing = client.get(url("changelist")).content.decode()
    assert "also in another organisation" in listing and "Varberg" not in listing
    page = client.get(url("change", alice.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="first_name"' not in html and 'name="new_password1"' not in html
    data = {"first_name": "Övertagen", "email": "x@example.org", "is_active": "on"}
    data |= {"new_password1": PASSWORD, "new_password2": PASSWORD}
    assert client.post(url("change", alice.pk), data).status_code == 403
    alice.refresh_from_db()
    assert (alice.first_name, alice.check_password(PASSWORD)) == ("", False)


def test_it_lets_no_administrator_change_a_superuser(hanna, demo):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    Membership.objects.create(user=root, organisation=demo, role=Role.EDITOR)
    client = signed_in(hanna)
    assert client.get(url("change", root.pk)).status_code == 200  # read only
    data = {"first_name": "X", "email": "x@example.org", "is_active": ""}
    assert client.post(url("change", root.pk), data).status_code == 403
    root.refresh_from_db()
    assert root.is_active


# --- changing a user ------------------------------------------------------------------


def test_it_changes_names_and_password_and_deactivates(hanna, alice):
    client = signed_in(hanna)
    data = form_data(client, url("change", alice.pk))
    data.update(first_name="Alice", last_name="Andersson", email="alice@halmstad.se")
    data.update(new_password1=PASSWORD, new_password2=PASSWORD)
    response = client.post(url("change", alice.pk), data)
    assert response.status_code == 302, field_errors(response)
    alice.refresh_from_db()
    assert (alice.get_full_name(), alice.email) == ("Alice Andersson", "alice@halmstad.se")
    assert alice.password.startswith("argon2$")
    sign_in("alice", PASSWORD)
    latest = User.history.filter(id=alice.pk).first()
    assert (latest.history_type, latest.history_user, latest.first_name) == ("~", hanna, "Alice")
    assert "password" not in {field.name for field in latest._meta.fields}  # no old hashes

    # without a new password the password stays; unticking "active" ends sign-in
    data = form_data(client, url("change", alice.pk))
    data.pop("is_active")
    assert client.post(url("change", alice.pk), data).status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active and alice.check_password(PASSWORD)
    refused = Client().post(reverse("admin:login"), {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 200


def test_it_refuses_a_mistyped_new_password_and_changes_nothing(hanna, alice):
    client = signed_in(hanna)
    data = form_data(client, url("change", alice.pk))
    data.update(first_name="Alice", new_password1=PASSWORD, new_password2="")
    assert "new_password2" in field_errors(client.post(url("change", alice.pk), data))
    data.update(new_password2=PASSWORD + "x")
    assert "new_password2" in field_errors(client.post(url("change", alice.pk), data))
    data.update(new_password1="alice1234", new_password2="alice1234")
    assert "new_password2" in field_errors(client.post(url("change", alice.pk), data))
    alice.refresh_from_db()
    assert alice.first_name == "" and alice.check_password("a-long-Passw0rd-x")


def test_an_administrator_changing_their_own_password_stays_signed_in(hanna):
    client = signed_in(hanna)
    data = form_data(client, url("change", hanna.pk))
    data.update(new_password1=PASSWORD, new_password2=PASSWORD)
    assert client.post(url("change", hanna.pk), data).status_code == 302
    assert client.get(url("changelist")).status_code == 200


def test_an_administrator_cannot_deactivate_themselves(hanna):
    client = signed_in(hanna)
    data = form_data(client, url("change", hanna.pk))
    data.pop("is_active")
    assert "is_active" in field_errors(client.post(url("change", hanna.pk), data))
    hanna.refresh_from_db()
    assert hanna.is_active


def test_it_deletes_no_user_but_says_how_to_deactivate(hanna, alice):
    client = signed_in(hanna)
    assert client.get(url("delete", alice.pk)).status_code == 403
    assert client.post(url("delete", alice.pk), {"post": "yes"}).status_code == 403
    listing = client.get(url("changelist"))
    assert "delete_selected" not in listing.content.decode()
    assert "Users are not deleted here" in client.get(url("change", alice.pk)).content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


def test_it_shows_a_users_history_but_does_not_revert_it(hanna, alice):
    client = signed_in(hanna)
    data = form_data(client, url("change", alice.pk))
    data.update(first_name="Alice")
    client.post(url("change", alice.pk), data)
    history = client.get(url("history", alice.pk))
    assert history.status_code == 200
    first = User.history.filter(id=alice.pk).last()
    version = reverse("admin:accounts_staffuser_simple_history", args=[alice.pk, first.pk])
    assert client.get(version).status_code == 200
    assert client.post(version, {"first_name": ""}).status_code == 403
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_sign_in_is_no_change_in_the_history(alice):
    before = User.history.filter(id=alice.pk).count()
    sign_in("alice", "a-long-Passw0rd-x")
    assert User.history.filter(id=alice.pk).count() == before


# --- no lost updates: two administrators edit the same user or role at once ----------


def test_a_second_save_of_a_user_changed_meanwhile_is_refused(hanna):
    greta = _staff("greta", Organisation.objects.get(slug="halmstad"), Role.ADMINISTRATOR)
    first, second = signed_in(hanna, "sv"), signed_in(greta, "sv")
    target = url("change", _staff("olle", Organisation.objects.get(slug="halmstad")).pk)
    mine, theirs = form_data(first, target), form_data(second, target)
    theirs["email"] = ["olle.ny@halmstad.se"]
    assert second.post(target, theirs).status_code == 302
    mine["first_name"] = ["Olof"]
    response = first.post(target, mine)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Inte sparat: greta sparade" in text
    assert "olle.ny@halmstad.se" in text.split("Ändrat under tiden:")[1]
    olle = User.objects.get(username="olle")
    assert (olle.first_name, olle.email) == ("", "olle.ny@halmstad.se")  # nothing of hanna's


def test_a_user_form_without_what_it_showed_is_refused(hanna):
    olle = _staff("olle", Organisation.objects.get(slug="halmstad"))
    client = signed_in(hanna)
    data = form_data(client, url("change", olle.pk))
    data.update(first_name=["Olof"], seen_values=["forged"])
    assert "__all__" in field_errors(client.post(url("change", olle.pk), data))
    assert User.objects.get(pk=olle.pk).first_name == ""


def test_a_second_save_of_a_role_changed_meanwhile_is_refused(hanna):
    greta = _staff("greta", Organisation.objects.get(slug="halmstad"), Role.ADMINISTRATOR)
    olle = _staff("olle", Organisation.objects.get(slug="halmstad"))
    membership = Membership.objects.get(user=olle)
    target = reverse("admin:accounts_membership_change", args=[membership.pk])
    first, second = signed_in(hanna), signed_in(greta)
    mine, theirs = form_data(first, target), form_data(second, target)
    theirs["role"] = [Role.ADMINISTRATOR]
    assert second.post(target, theirs).status_code == 302
    mine["role"] = [Role.EDITOR]  # hanna saw "editor" and saves it again: not over greta's
    response = first.post(target, mine)
    assert response.status_code == 200
    assert "Not saved: greta saved" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == Role.ADMINISTRATOR
