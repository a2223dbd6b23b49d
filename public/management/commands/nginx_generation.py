"""`vanort nginx-generation`: point nginx's cache generation at the current data and code
version (docs/deploy.md). The app does it after every committed change; run it on each
release (new code renders pages differently) and after changing the database by hand."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vanort.caching import point_nginx_at_the_current_generation


class Command(BaseCommand):
    help = "Point nginx's cache generation (VANORT_NGINX_GENERATION) at the current version."

    def handle(self, *args, **options):
        if not settings.VANORT_NGINX_GENERATION:
            raise CommandError("VANORT_NGINX_GENERATION is not set: nginx keeps no copy.")
        target = point_nginx_at_the_current_generation()
        self.stdout.write(f"{settings.VANORT_NGINX_GENERATION} -> {target}")
