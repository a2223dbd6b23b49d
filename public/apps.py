from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("Public pages")

    def ready(self):
        from register import versions
        from vanort import caching

        # nginx's copy of the public pages moves on with every committed change.
        versions.committed.connect(caching._switch_after_commit, dispatch_uid="nginx")
