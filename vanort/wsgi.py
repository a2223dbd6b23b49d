import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanort.settings")
django_application = get_wsgi_application()

# Cached answers are sent before Django's handler is reached (vanort/caching.py).
from vanort.caching import CachedAnswers, warm_up  # noqa: E402  (needs the settings above)

application = CachedAnswers(django_application)
warm_up()  # in each worker as it starts, not in its first request
