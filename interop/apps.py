from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = _("Outside data")

    def ready(self):
        from interop import merge  # noqa: F401  reported pairs follow a merge of places
