from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "register"
    verbose_name = _("Register")

    def ready(self):
        from register import versions
        from register.models import name_links

        versions.connect()  # every change bumps the data version (the cache's key)
        name_links()  # the many-to-many link tables in the reader's language
