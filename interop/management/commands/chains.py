from django.core.management.base import BaseCommand, CommandError

from interop.analysis import chains, places_by_id
from register.models import Place


def describe(place: Place) -> str:
    return f"{place.name} ({place.country})"


class Command(BaseCommand):
    help = (
        "List twin-town chains: groups of three or more places all twinned with each other "
        "(maximal cliques over imported pairs and published register relations)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--place", help="Only chains with this place (its name).")
        parser.add_argument("--country", help="ISO code, to tell places of one name apart.")
        parser.add_argument("--min-size", type=int, default=3)

    def handle(self, *args, place, country, min_size, **options):
        if min_size < 3:
            raise CommandError("--min-size: a chain has at least 3 places.")
        found_place = None
        if place:
            candidates = Place.objects.filter(name__iexact=place)
            if country:
                candidates = candidates.filter(country=country.upper())
            found = list(candidates[:2])
            if not found:
                raise CommandError(f"--place: no place named “{place}” in the register.")
            if len(found) > 1:
                raise CommandError(f"--place: several places are named “{place}”; add --country.")
            found_place = found[0]
        groups = chains(min_size, found_place)
        places = places_by_id({pk for group in groups for pk in group})
        for group in groups:
            names = sorted(describe(places[pk]) for pk in group)
            self.stdout.write(f"{len(group)}: " + " – ".join(names))
        self.stdout.write(f"{len(groups)} chains of {min_size} or more places.")
