"""Settings for Vänort: one file, small typed env helpers (as healthchecks does).

SQLite under ./var/ is the embedded default; DATABASE_URL chooses PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VANORT_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.getenv(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# VANORT_ENV=production turns on the deployment settings below: DEBUG off, a required
# SECRET_KEY and ALLOWED_HOSTS from the environment, HTTPS-only cookies and HSTS.
PRODUCTION = os.getenv("VANORT_ENV", "development").lower() == "production"


def required(name: str) -> str:
    value = os.getenv(name, "")
    if not value:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be set when VANORT_ENV=production.")
    return value


if PRODUCTION:
    SECRET_KEY = required("SECRET_KEY")
    DEBUG = False
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", required("ALLOWED_HOSTS"))
else:
    SECRET_KEY = os.getenv("SECRET_KEY", "vanort-development-key-not-for-production")
    DEBUG = envbool("DEBUG", "False")
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "register",
    "accounts",
    "editing",  # the admin's ModelAdmins, forms and widgets (a face, like public)
    "public",
    "reports",
    "opendata",
    "interop",
    "national",  # the national register, when VANORT_NATIONAL is on
    "opendata.ninja_assets.NinjaAssetsConfig",  # the Swagger UI's files, not the package
    "corsheaders",
    "simple_history",
    "axes",
    "csp",
]

MIDDLEWARE = [
    # Open data (opendata/middleware.py): HEAD as GET, CORS for /api/ and /datasets/,
    # gzip except for pages with a CSRF token, errors under /api/ as problem+json.
    "opendata.middleware.HeadAsGetMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Public pages and open data from a cache keyed by the data version (vanort/caching.py).
    "vanort.caching.ResponseCacheMiddleware",
    "opendata.middleware.CompressionMiddleware",
    "opendata.middleware.ProblemDetailsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vanort.errors.DatabaseUnavailableMiddleware",  # a database fault is a 503 page
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # records who made a change
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

# CORS (django-cors-headers) for the read-only open data only: the API, the exports, the
# OpenAPI document and the DCAT catalogue; never the admin or the reports.
CORS_URLS_REGEX = r"^/(api|datasets)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Content-Disposition", "Link"]
CORS_PREFLIGHT_MAX_AGE = 86400

ROOT_URLCONF = "vanort.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # project-wide overrides (admin/index.html)
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "vanort.wsgi.application"

# Persistent connections: opening one cost more than a cached answer (on SQLite, the
# WAL pragma alone about 1 ms against 0.1 ms for the answer). A connection that failed
# is closed at the end of its request all the same (Django's errors_occurred).
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vanort.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "600"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database needs no setup step
    # WAL lets the public pages read while an editor writes; a busy timeout
    # turns a locked database into a short wait instead of an error.
    # Only `migrate` (or `restore`) creates the file, never a request (vanort/sqlite3).
    DATABASES["default"]["ENGINE"] = "vanort.sqlite3"
    # A kept connection is checked at each request: is its file still there (one stat)?
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Tests: an in-memory database, as Django gives the stock engine (and pytest-xdist
    # then leaves the name alone).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # A request waits this long for a writer (an import) and then gets the 503 page.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": envint("VANORT_SQLITE_TIMEOUT", "5"),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# --- the response cache (issue 14, vanort/caching.py) ------------------------------------
# Embedded default: a cache in each process, exact because every request checks the data
# version in the database. Several app servers share one: VANORT_CACHE_URL=redis://host:6379/0
VANORT_CACHE_URL = os.getenv("VANORT_CACHE_URL", "")
# nginx in front keeps answers itself until they change (docs/deploy.md): the symlink whose
# target names the current generation (data and code version), which nginx puts in its
# cache key. Empty: nginx asks the app again on every request.
VANORT_NGINX_GENERATION = os.getenv("VANORT_NGINX_GENERATION", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "responses": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": VANORT_CACHE_URL,
            "KEY_PREFIX": "vanort",
            "TIMEOUT": 3600,
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
        if VANORT_CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "vanort-responses",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("VANORT_MANIFEST_STATIC", "False")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "True")

# The organisation whose page "/" leads to when the installation hosts several.
VANORT_DEFAULT_ORGANISATION = os.getenv("VANORT_DEFAULT_ORGANISATION", "halmstad")

# A national installation serves the national register at /sv/register/ (issue 16); a
# single-municipality installation turns it off and keeps "/" on its own page. On in
# development, so that `make run`'s demo serves it; off in production unless asked for.
VANORT_NATIONAL = envbool("VANORT_NATIONAL", "False" if PRODUCTION else "True")
# Where "/" leads: "register" (the national register) or "organisation" (the page of
# VANORT_DEFAULT_ORGANISATION, or the list of organisations). A national installation
# leads to its register; the demo serves it too but opens on its municipality, Halmstad.
VANORT_ROOT = os.getenv(
    "VANORT_ROOT", "register" if VANORT_NATIONAL and PRODUCTION else "organisation"
)

# --- e-mail and reminders (issue 6) ----------------------------------------------------
# The demo writes e-mail to files in var/mail; set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc. to send for real.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = Path(os.getenv("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "vanort@localhost")
# Where links in e-mails and calendar feeds point.
VANORT_BASE_URL = os.getenv("VANORT_BASE_URL", "http://127.0.0.1:8000")
# Days before an agreement's end that `vanort send-reminders` tells the editors.
VANORT_REMINDER_WINDOWS = [int(days) for days in envlist("VANORT_REMINDER_WINDOWS", "180,30")]
# Years without activity after which a relation in force is worth a reminder (0: never).
VANORT_QUIET_YEARS = envint("VANORT_QUIET_YEARS", "3")

# --- sign-in and security (issue 3) ---------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # reads hashes made before Argon2
]
# Staff passwords (the admin's forms and `vanort add-user`, through accounts.users.enrol):
# at least 12 characters, not on the common-password list, not like the user's name.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("VANORT_PASSWORD_MIN_LENGTH", "12")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Locked after 5 failed sign-ins for one user name from one address, for an hour;
# `vanort unlock-user NAME` lifts the lock at once.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# The lock is keyed on the client's address. Behind the TLS proxy, name the proxy's
# address(es) here (e.g. "127.0.0.1" or "10.0.0.0/24"): X-Forwarded-For is then read
# from those proxies only, and a header sent from anywhere else is ignored
# (accounts/client_address.py, docs/deploy.md). Empty: REMOTE_ADDR, no header believed.
VANORT_TRUSTED_PROXIES = envlist("VANORT_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"

# A strict policy: everything from our own origin, nothing inline, nothing third-party.
# A view that needs more relaxes it with django-csp's decorators (csp_update/csp_replace).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", str(365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if envbool("BEHIND_HTTPS_PROXY", "False"):  # the proxy sets X-Forwarded-Proto
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
