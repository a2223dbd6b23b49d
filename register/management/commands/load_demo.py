from django.core.management.base import BaseCommand

from register.demo import load_demo


class Command(BaseCommand):
    help = "Load Halmstad's register from the seed page (idempotent: a re-run changes nothing)."

    def handle(self, *args, **options):
        org = load_demo()
        self.stdout.write(
            f"Loaded the demo register of {org.name}: {org.relations.count()} relations."
        )
