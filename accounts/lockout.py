"""The page a locked-out user sees: what happened, for how long, and how to get back in."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes calls this instead of its own page once the failure limit is reached."""
    context = {
        "title": "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_hours": settings.AXES_COOLOFF_TIME,
        "username": (credentials or {}).get("username", "") or request.POST.get("username", ""),
        "site_header": "Vänort",
    }
    return TemplateResponse(request, "accounts/locked_out.html", context, status=429).render()
