from django.apps import AppConfig


class EditingConfig(AppConfig):
    """The admin, arranged for the coordinator's task: a face of the register, like public.

    It has no models of its own: it edits register's (and accounts'), so the admin's
    URLs and template paths keep their app label, `register`."""

    name = "editing"

    def ready(self):
        # Every app's admin module is imported by now (django.contrib.admin comes first in
        # INSTALLED_APPS): admins of other packages (auth, axes) get the same allow-list
        # of lookups as ours, so no change list filters by a field it does not offer.
        from django.contrib import admin

        from editing.base import FilterLookupsOnly

        for model, model_admin in list(admin.site._registry.items()):
            if not isinstance(model_admin, FilterLookupsOnly):
                cls = type(model_admin)
                guarded = type(
                    cls.__name__, (FilterLookupsOnly, cls), {"__module__": cls.__module__}
                )
                admin.site._registry[model] = guarded(model, admin.site)
