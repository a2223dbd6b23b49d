"""Partner profiles from the database for the pages: the valid list, and one profile's
matches, each in a fixed number of queries (national/matching.py does the ranking)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from interop.models import ReportedPair
from national.matching import Match, Party, rank
from national.models import PartnerProfile
from register.models import FocusArea, Place, PlaceName, Relation, country_name


def profiles() -> QuerySet[PartnerProfile]:
    """Profiles with what a page shows of them: seeker, its names, themes."""
    rows = PartnerProfile.objects.select_related("organisation__place", "place__organisation")
    return rows.prefetch_related(
        Prefetch("place__names", queryset=PlaceName.objects.all()),
        Prefetch("themes", queryset=FocusArea.objects.order_by("order", "code")),
    )


def listed(today: date, theme: str = "", country: str = "") -> QuerySet[PartnerProfile]:
    """Valid and published; by theme, and by country (the seeker's or one it wants)."""
    rows = profiles().valid_on(today)
    if theme:
        rows = rows.filter(themes__code=theme)
    if country:
        rows = rows.filter(
            Q(organisation__place__country=country)
            | Q(place__country=country)
            | Q(countries__regex=rf"(^|[^A-Z]){country}([^A-Z]|$)")
        )
    return rows.distinct().order_by("valid_until", "pk")


def seeker_place(profile: PartnerProfile) -> Place:
    return profile.organisation.place if profile.organisation_id else profile.place


def partners_of(place_ids: set[int]) -> dict[int, set[int]]:
    """{place id: ids of its partners} for these places, from both sources (two queries)."""
    found: dict[int, set[int]] = {pid: set() for pid in place_ids}
    if not place_ids:
        return found
    relations = Relation.objects.published().filter(
        Q(organisation__place_id__in=place_ids) | Q(partner_id__in=place_ids)
    )
    pairs = ReportedPair.objects.filter(Q(place_a_id__in=place_ids) | Q(place_b_id__in=place_ids))
    edges = [
        *relations.order_by().values_list("organisation__place_id", "partner_id"),
        *pairs.order_by().values_list("place_a_id", "place_b_id"),
    ]
    for one, other in edges:
        if one in found:
            found[one].add(other)
        if other in found:
            found[other].add(one)
    return found


@dataclass
class Matching:
    profile: PartnerProfile
    matches: list[Match]
    profiles: dict[str, PartnerProfile]  # the candidates' profiles, by Party.key
    places: dict[int, Place]  # every place named on the page


def _names(place: Place) -> tuple[str, str]:
    organisation = getattr(place, "organisation", None)
    if organisation is not None:
        return organisation.name_sv, organisation.name_en or organisation.name_sv
    return place.display_name("sv"), place.display_name("en")


def _profile_party(profile: PartnerProfile, partners: set[int]) -> Party:
    place = seeker_place(profile)
    if profile.organisation_id:
        name_sv = profile.organisation.name_sv
        name_en = profile.organisation.name_en or name_sv
    else:
        name_sv, name_en = place.display_name("sv"), place.display_name("en")
    return Party(
        key=f"profile:{profile.pk}",
        place_id=place.pk,
        name_sv=name_sv,
        name_en=name_en,
        country=place.country,
        themes=frozenset(theme.code for theme in profile.themes.all()),
        wanted=frozenset(profile.wanted_countries),
        population=profile.population,
        partners=frozenset(partners),
        is_profile=True,
    )


def matching(profile: PartnerProfile, today: date) -> Matching:
    """The profile's best matches among the other valid profiles and the register's
    places, in a fixed number of queries however many places and pairs there are."""
    others = list(profiles().valid_on(today).exclude(pk=profile.pk))
    seeker = seeker_place(profile)
    own = partners_of({seeker.pk} | {seeker_place(p).pk for p in others})
    mine = own[seeker.pk]
    # Places twinned with one of the seeker's partners: candidates through a chain.
    second = partners_of(mine)
    via: dict[int, set[int]] = {}
    for partner, theirs in second.items():
        for pid in theirs:
            via.setdefault(pid, set()).add(partner)
    with_profile = {seeker_place(p).pk for p in others} | {seeker.pk}
    wanted = set(via) | mine
    places = {
        place.pk: place
        for place in Place.objects.filter(pk__in=wanted)
        .select_related("organisation")
        .prefetch_related(Prefetch("names", queryset=PlaceName.objects.all()))
    }
    for p in [profile, *others]:
        places.setdefault(seeker_place(p).pk, seeker_place(p))
    candidates = [_profile_party(p, own[seeker_place(p).pk]) for p in others]
    for pid, chains in via.items():
        place = places.get(pid)
        if place is None or pid in with_profile:
            continue
        name_sv, name_en = _names(place)
        candidates.append(
            Party(f"place:{pid}", pid, name_sv, name_en, place.country, partners=frozenset(chains))
        )
    labels = {theme.code: theme for theme in FocusArea.objects.all()}

    def theme_label(code: str, lang: str) -> str:
        theme = labels.get(code)
        if theme is None:
            return code
        return (theme.label_sv if lang == "sv" else theme.label_en or theme.label_sv).lower()

    def place_name(pid: int, lang: str) -> str:
        place = places.get(pid)
        return _names(place)[0 if lang == "sv" else 1] if place else str(pid)

    matches = rank(
        _profile_party(profile, mine),
        candidates,
        theme_label=theme_label,
        country_label=country_name,
        place_name=place_name,
    )
    return Matching(profile, matches, {f"profile:{p.pk}": p for p in others}, places)
