"""The site's URLs, and one that fails, to see the 500 and 503 pages (tests only)."""

from django.db import OperationalError
from django.urls import path

from vanort.urls import *  # noqa: F403
from vanort.urls import urlpatterns as site


def fails(request):
    raise RuntimeError("a bug")


def database_gone(request):
    raise OperationalError("no such table: register_organisation")


urlpatterns = [path("sv/fails/", fails), path("en/fails/", fails), path("api/gone/", database_gone)]
urlpatterns += [path("sv/gone/", database_gone), *site]
