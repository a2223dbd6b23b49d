from django.core.management.base import BaseCommand, CommandError

from interop.analysis import chains, places_by_id
from register.models import Place
from register.places import AmbiguousPlace, PlaceNotFound, place_from_argument


def describe(place: Place) -> str:
    return f"{place.name} ({place.country})"


class Command(BaseCommand):
    help = (
        "List twin-town chains: groups of three or more places all twinned with each other "
        "(maximal cliques over imported pairs and published register relations)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--place",
            help="Only chains with this place: its id, its Wikidata id (Q…) or its name.",
        )
        parser.add_argument("--country", help="ISO code, to tell places of one name apart.")
        parser.add_argument("--min-size", type=int, default=3)

    def handle(self, *args, place, country, min_size, **options):
        if min_size < 3:
            raise CommandError("--min-size: a chain has at least 3 places.")
        found_place = None
        if place:
            try:
                found_place = place_from_argument(place, country or "")
            except (PlaceNotFound, AmbiguousPlace) as exc:
                raise CommandError(f"--place: {exc}") from None
        groups = chains(min_size, found_place)
        places = places_by_id({pk for group in groups for pk in group})
        for group in groups:
            names = sorted(describe(places[pk]) for pk in group)
            self.stdout.write(f"{len(group)}: " + " – ".join(names))
        self.stdout.write(f"{len(groups)} chains of {min_size} or more places.")
