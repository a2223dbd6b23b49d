"""`vanort start-municipality`: a new organisation with its place and deciding rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from register.demo import AGREEMENT_KINDS
from register.models import AgreementKind, DecidingBody, GovernanceRule, Organisation, Place
from register.places import QID, PlaceMatcher, PlaceNotFound, place_from_argument, update_from
from register.places import describe as describe_place

# The usual Swedish rule: the council decides twinnings, the executive board the rest.
DEFAULT_RULES = {
    "vanortsavtal": "kf",
    "samarbetsavtal": "ks",
    "kommunalt-partnerskap": "ks",
    "avsiktsforklaring": "ks",
}


def parse_rule(text: str) -> tuple[str, str]:
    kind, sep, body = text.partition("=")
    if not sep or body not in DecidingBody.values:
        bodies = ", ".join(DecidingBody.values)
        raise CommandError(f"--rule {text!r}: write KIND=BODY, BODY one of {bodies}.")
    return kind.strip(), body


class Command(BaseCommand):
    help = (
        "Start a new municipality: its place, its organisation and which body decides "
        "which kind of agreement. Example: vanort start-municipality varberg "
        '--name "Varbergs kommun" --place Varberg --country SE --rule vanortsavtal=kf'
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the page address: /sv/SLUG/")
        parser.add_argument("--name", required=True, help="Swedish name, e.g. Varbergs kommun")
        parser.add_argument("--name-en", default="", help="English name")
        parser.add_argument(
            "--place",
            required=True,
            help="the place's local name (an existing place of that name and country is "
            "used, not copied), or the id or Wikidata id of a place in the register",
        )
        parser.add_argument("--country", default="SE", help="ISO 3166-1 alpha-2 code")
        parser.add_argument("--region", default="")
        parser.add_argument("--latitude", default=None)
        parser.add_argument("--longitude", default=None)
        parser.add_argument("--wikidata", default="", help="the place's Wikidata id, e.g. Q..")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--rule",
            action="append",
            default=[],
            metavar="KIND=BODY",
            help="e.g. vanortsavtal=kf (repeatable; defaults to the usual Swedish rules)",
        )

    def handle(self, *args, **options):
        rules = dict(map(parse_rule, options["rule"])) or DEFAULT_RULES
        try:
            with transaction.atomic():
                organisation = self.create(options, rules)
        except ValidationError as error:
            raise CommandError(describe(error)) from error
        for note in getattr(self, "notes", []):
            self.stdout.write(note)
        self.stdout.write(
            f"Started {organisation.name} at /sv/{organisation.slug}/ with "
            f"{organisation.governance_rules.count()} rules. Add its first user with: "
            f"vanort add-user NAME --organisation {organisation.slug} --role administrator"
        )

    def create(self, options, rules: dict[str, str]) -> Organisation:
        slug = options["slug"]
        if Organisation.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": f"An organisation “{slug}” already exists."})
        ensure_agreement_kinds()
        place = self.find_or_create_place(options)
        if Organisation.objects.filter(place=place).exists():
            other = Organisation.objects.get(place=place)
            raise ValidationError(
                {"place": f"{place.name} already keeps its register as “{other.slug}”."}
            )
        organisation = Organisation(
            slug=slug,
            place=place,
            name_sv=options["name"],
            name_en=options["name_en"],
            email=options["email"],
            phone=options["phone"],
        )
        organisation.full_clean()
        organisation.save()
        for code, body in rules.items():
            kind = AgreementKind.objects.filter(code=code).first()
            if kind is None:
                known = ", ".join(AgreementKind.objects.values_list("code", flat=True))
                raise ValidationError({"rule": f"No agreement kind “{code}” (known: {known})."})
            GovernanceRule.objects.create(organisation=organisation, kind=kind, body=body)
        return organisation

    def find_or_create_place(self, options) -> Place:
        """The place by the register's identity rules (register/places.py): an id or
        Q-id names it; else its Wikidata id, then its name in the country nearby;
        an ambiguous name is refused with the candidates; only then a new place."""
        self.notes = []
        text = " ".join(options["place"].split())
        if text.isdigit() or QID.match(text.upper()):
            try:
                return place_from_argument(text)
            except PlaceNotFound as exc:
                raise ValidationError({"place": str(exc)}) from None
        values = dict(
            name=text,
            country=options["country"].upper(),
            region=options["region"],
            latitude=options["latitude"],
            longitude=options["longitude"],
            wikidata_id=options["wikidata"],
        )
        candidate = Place(**values)
        candidate.full_clean()  # the same refusals as before for bad values
        nearby = Q(country=values["country"])
        if values["wikidata_id"]:
            nearby |= Q(wikidata_id=values["wikidata_id"])
        matcher = PlaceMatcher(Place.objects.filter(nearby))
        result = matcher.match(**values)
        if result.ambiguous:
            raise ValidationError({"place": f"{text}: {result.reason}. Give its id with --place."})
        if result.new:
            candidate.save()
            return candidate
        place = result.place
        update = update_from(
            place,
            region=values["region"],
            latitude=values["latitude"],
            longitude=values["longitude"],
            wikidata_id=values["wikidata_id"],
        )
        self.notes.append(f"Using the place already in the register: {describe_place(place)}.")
        self.notes += [f"Kept: {conflict}" for conflict in update.conflicts]
        return place


def ensure_agreement_kinds() -> None:
    """The usual kinds, for a fresh installation; existing ones are left as they are."""
    for order, (code, label_sv, label_en, plural_sv, plural_en) in enumerate(AGREEMENT_KINDS):
        AgreementKind.objects.get_or_create(
            code=code,
            defaults=dict(
                label_sv=label_sv,
                label_en=label_en,
                plural_sv=plural_sv,
                plural_en=plural_en,
                order=order,
                has_duration=code != "avsiktsforklaring",
            ),
        )


def describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)
