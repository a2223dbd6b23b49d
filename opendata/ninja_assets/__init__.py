"""django-ninja's templates and static files (the Swagger UI), served from our own origin.

Installed as the app labelled "ninja" instead of the "ninja" package itself: listing
"ninja" in INSTALLED_APPS would import the whole of django-ninja and pydantic (about a
third of a second) at every start of a command line, even `vanort help`. The package's
directory is found without importing it; the API (opendata.api) imports ninja when the
URLs are loaded.
"""

from importlib.util import find_spec

from django.apps import AppConfig


class NinjaAssetsConfig(AppConfig):
    name = "opendata.ninja_assets"
    label = "ninja"
    verbose_name = "django-ninja assets"
    path = find_spec("ninja").submodule_search_locations[0]
