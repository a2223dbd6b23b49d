from django.apps import AppConfig


class EditingConfig(AppConfig):
    """The admin, arranged for the coordinator's task: a face of the register, like public.

    It has no models of its own: it edits register's (and accounts'), so the admin's
    URLs and template paths keep their app label, `register`."""

    name = "editing"
