"""The response cache (issue 14): public pages and open-data answers served from a cache
that is never stale.

An entry's key carries everything the answer depends on:

- the data version (register/versions.py): the organisation's token and the shared one
  for its pages, the installation's token for everything under /api/; a change to the
  register bumps it in the same transaction, so the first request after the commit
  misses and renders afresh. The version is read from the database on every request,
  one indexed query, so a per-process cache (the embedded default) is as exact as a
  shared one;
- the language, the scheme and host (pages hold absolute links), the path and query, and
  whether the client takes gzip (the stored answer is the compressed one);
- the code: a hash of the source, templates and translations, so a deploy never serves
  what the previous release rendered.

An entry lives until the next moment the answer would change by itself, which the view
states (`cache_until`): for a page the next opening or closing of the visitor desk or the
phone line, or midnight in Europe/Stockholm (an agreement starts and ends on a day, so
its status changes at a midnight too); for the API the next midnight.

Only what a view marks is stored, and only a plain public answer: a GET (HEAD is a GET
here, see opendata.middleware.HeadAsGetMiddleware), without a session cookie (staff,
previews), 200, not streamed, setting no cookie (the feedback form's CSRF cookie: that
page is not marked) and not varying on cookies. The stored answer is the one the rest of
the middleware made, headers included, so a hit is byte-identical to a fresh answer; the
cache answers conditional requests (ETag, Last-Modified, 304) itself.

When the database cannot be reached, the version cannot be checked: a page is then
answered from the newest entry for its address (kept a day), rather than not at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import importlib
import logging
import math
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_started
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

log = logging.getLogger(__name__)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CACHE_ALIAS = "responses"
LAST_GOOD_SECONDS = 24 * 3600
PAGE = re.compile(r"^/(?P<lang>[a-z]{2})/(?P<slug>[-a-zA-Z0-9_]+)/")
GZIP = re.compile(r"\bgzip\b")
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


# --- what a view says ---------------------------------------------------------------


def cache_until(request: HttpRequest, moment: datetime) -> None:
    """Let the answer to `request` be cached until `moment` (when it changes by itself)."""
    request._vanort_cache_until = moment


def next_midnight(now: datetime | None = None) -> datetime:
    """The next midnight in Europe/Stockholm, or in the server's own time zone if that
    comes first (code that asks date.today() turns the day there)."""
    now = now or timezone.now()
    moments = []
    for zone in (STOCKHOLM, None):
        local = now.astimezone(zone)
        tomorrow = local.date() + timedelta(days=1)
        moments.append(datetime.combine(tomorrow, datetime.min.time(), tzinfo=local.tzinfo))
    return min(moments)


def last_midnight(now: datetime | None = None) -> datetime:
    local = (now or timezone.now()).astimezone(STOCKHOLM)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=STOCKHOLM)


# --- the key ----------------------------------------------------------------------------

_code_version: str | None = None


def code_version() -> str:
    """A hash of the project's source, templates and translations (read once)."""
    global _code_version
    if _code_version is None:
        digest = hashlib.sha256()
        base = Path(settings.BASE_DIR)
        for path in _project_files(base):  # relative: instances in other folders agree
            digest.update(str(path).encode())
            digest.update((base / path).read_bytes())
        _code_version = digest.hexdigest()[:16]
    return _code_version


_NOT_THE_PROJECT = {".venv", "var", "node_modules", "tests", ".git", "__pycache__"}
_RENDERED_FROM = {".py", ".html", ".mo", ".txt", ".svg", ".json", ".xml"}


def _project_files(base: Path) -> list[Path]:
    """The files an answer is rendered from, relative to `base`, in a stable order. The
    virtual environment and node_modules are pruned before they are walked (tens of
    thousands of files, which made a worker's first request take over a second)."""
    found = []
    for folder, subfolders, files in os.walk(base):
        subfolders[:] = sorted(d for d in subfolders if d not in _NOT_THE_PROJECT)
        if Path(folder) == base:
            continue  # the project's own files live in its apps and folders
        found += [
            Path(folder, name).relative_to(base)
            for name in sorted(files)
            if Path(name).suffix in _RENDERED_FROM
        ]
    return found


@dataclass(frozen=True)
class Scope:
    """Which version an address is keyed by, and its language."""

    slug: str | None  # an organisation's pages; None: the installation (the API)
    lang: str

    def version(self):
        from register import versions

        if self.slug is None:
            return versions.for_everything()
        return versions.for_organisation(self.slug)


def scope_of(request: HttpRequest) -> Scope | None:
    path = request.path_info
    if path.startswith("/api/"):
        from django.utils.translation import get_language_from_request

        return Scope(None, get_language_from_request(request))
    match = PAGE.match(path)
    if match and match["lang"] in {code for code, _ in settings.LANGUAGES}:
        return Scope(match["slug"], match["lang"])
    return None


def base_key(request: HttpRequest, scope: Scope) -> str:
    gzip = "gz" if GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "id"
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    raw = f"{code_version()}|{scope.lang}|{gzip}|{address}"
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


# --- the entries ----------------------------------------------------------------------


@dataclass
class Entry:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    made: float
    expires: float

    def fresh(self, now: float) -> bool:
        return self.made <= now < self.expires

    def response(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for header, value in self.headers:
            response[header] = value
        etag = response.get("ETag")
        modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=etag, last_modified=modified, response=response
        )


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies or "cookie" in response.get("Vary", "").lower():
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "no-cache"))


def _cache():
    return caches[CACHE_ALIAS]


def _get(key: str):
    try:
        return _cache().get(key)
    except Exception:  # a shared cache that is down: answer without it
        log.warning("response cache: get failed", exc_info=True)
        return None


def _set(key: str, entry: Entry, seconds: int) -> None:
    try:
        _cache().set(key, entry, seconds)
    except Exception:
        log.warning("response cache: set failed", exc_info=True)


def entry_key(base: str, version) -> str:
    return f"entry:{base}:{hashlib.sha256(version.key.encode()).hexdigest()[:24]}"


@dataclass
class Lookup:
    """What the cache said about a request: its answer, or the keys to store one under."""

    answer: HttpResponse | None = None
    key: str | None = None  # None: not an answer the cache keeps
    base: str | None = None


def lookup(request: HttpRequest) -> Lookup:
    """The cached answer to `request`, if there is a fresh one. One query (the version)
    and one cache read."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return Lookup()
    scope = scope_of(request)
    if scope is None:
        return Lookup()
    try:
        base = base_key(request, scope)
    except Exception:  # DisallowedHost and the like: Django answers it
        return Lookup()
    try:
        version = scope.version()
    except Exception as error:  # the database is gone (or not to be used, as in tests)
        if not isinstance(error, DatabaseError):
            return Lookup()
        entry = _get("last:" + base)
        if entry is None:
            return Lookup()
        log.warning("database unavailable: %s answered from the cache", request.path)
        return Lookup(entry.response(request))
    key = entry_key(base, version)
    now = time.time()
    if any(name in request.META for name in CONDITIONS):
        # nginx revalidates on every request: its question is answered from the entry's
        # headers, without fetching the body from a shared cache.
        head = _get("head:" + key)
        if head is not None and head.fresh(now):
            answer = head.response(request)
            if answer.status_code == 304:
                return Lookup(answer)
    entry = _get(key)
    if entry is not None and entry.fresh(now):
        return Lookup(entry.response(request))
    return Lookup(None, key, base)


class ResponseCacheMiddleware:
    """Right inside HeadAsGetMiddleware and CORS: what it stores is everything the rest of
    the middleware made (compression, security headers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = request.META.pop(LOOKUP, None) or lookup(request)  # CachedAnswers looked
        if found.answer is not None:
            return found.answer
        if found.key is None:
            return self.get_response(request)
        return self.miss(request, found.key, found.base, time.time())

    def miss(self, request: HttpRequest, key: str, base: str, now: float) -> HttpResponse:
        # Render the full answer (not a 304) so it can be stored; the conditions are
        # answered afterwards from the stored ETag and Last-Modified.
        conditions = {name: request.META.pop(name) for name in CONDITIONS if name in request.META}
        try:
            response = self.get_response(request)
        finally:
            request.META.update(conditions)
        until = getattr(request, "_vanort_cache_until", None)
        if until is None or not storable(request, response):
            if conditions and response.status_code == 200 and response.has_header("ETag"):
                modified = parse_http_date_safe(response.get("Last-Modified", ""))
                return get_conditional_response(
                    request, etag=response["ETag"], last_modified=modified, response=response
                )
            return response
        expires = until.timestamp()
        if expires <= now:
            return response
        response["X-Accel-Expires"] = nginx_expiry(expires)
        entry = Entry(response.status_code, list(response.items()), response.content, now, expires)
        seconds = max(1, math.ceil(expires - now))
        _set(key, entry, seconds)
        _set("head:" + key, dataclasses.replace(entry, content=b""), seconds)
        _set("last:" + base, entry, LAST_GOOD_SECONDS)
        return entry.response(request) if conditions else response


# --- nginx's copy (docs/deploy.md) -------------------------------------------------------


def nginx_expiry(expires: float) -> str:
    """How long nginx in front may keep an answer (X-Accel-Expires, an absolute time, as
    the header is stored with the entry). With a generation link, nginx's cache key moves
    on with every change, so it keeps the answer until it changes by itself. Without one,
    a moment long past: nginx keeps the answer but asks again (If-None-Match) every time."""
    return f"@{math.floor(expires)}" if settings.VANORT_NGINX_GENERATION else "@1"


def point_nginx_at_the_current_generation(**kwargs) -> Path | None:
    """Point the generation link at the current data and code version (after every
    committed change: register.versions.committed). nginx resolves the link on every
    request ($realpath_root in its cache key), so the first request after this misses and
    reaches the app, which reads the new version; an answer made from the old data while
    this ran is stored under the old generation, which nobody asks for again."""
    link = settings.VANORT_NGINX_GENERATION
    if not link:
        return None
    link = Path(link)
    link.parent.mkdir(parents=True, exist_ok=True)
    # Two commits racing: each reads the version inside the lock, after its own commit,
    # so the last to take the lock points the link at the newest version.
    with open(link.parent / ".generation.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        from register import versions

        data = versions.for_everything().key
        name = "g-" + hashlib.sha256(f"{data}|{code_version()}".encode()).hexdigest()[:20]
        target = link.parent / name
        if os.path.realpath(link) != os.path.realpath(target):
            target.mkdir(exist_ok=True)
            staged = link.with_name(f".{link.name}.{os.getpid()}.{threading.get_ident()}")
            # Relative, beside the link: nginx resolves it on every request, and a short
            # walk is cheaper (docs/deploy.md: keep the link's own path short too).
            os.symlink(name, staged)
            os.replace(staged, link)  # atomic: nginx sees the old target or the new one
            _prune(link.parent, keep=target)
    return target


def _prune(folder: Path, keep: Path, hours: float = 1) -> None:
    """Generations left for an hour: a request that resolved the link just before it
    moved may still name its old target, and nginx answers 500 to a link it cannot
    resolve."""
    old = time.time() - hours * 3600
    for generation in folder.glob("g-*"):
        if generation != keep and generation.stat().st_mtime < old:
            with contextlib.suppress(OSError):
                generation.rmdir()


def _switch_after_commit(**kwargs) -> None:
    try:
        point_nginx_at_the_current_generation()
    except Exception:  # the change is committed: say loudly that nginx may lag behind it
        log.exception("nginx generation not switched: run `vanort nginx-generation`")


# --- before Django's handler ------------------------------------------------------------

LOOKUP = "vanort.cache_lookup"


class CachedAnswers:
    """The WSGI application in front of Django's (vanort/wsgi.py): a request the cache
    can answer is answered here, without the URL resolver, the middleware and the
    request signals, which cost several times what the answer itself does. What it sends
    is the stored answer, made by the whole middleware chain, plus what the two
    middleware outside the cache add (CORS; HEAD is left to Django). A miss goes on to
    Django with what the lookup found, so the version is read once per request.

    A plain request (no cookie, no Origin, no condition: a citizen's browser on its first
    visit, a crawler, a benchmark) is answered from `ReadyAnswers`, what this process
    already sent for the same entry key, without building a request or a response."""

    def __init__(self, application):
        self.application = application
        from corsheaders.middleware import CorsMiddleware

        self.cors = CorsMiddleware(lambda request: None)
        self.ready = ReadyAnswers()
        self.addresses: dict[tuple, tuple[Scope, str] | None] = {}
        proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        self.address_fields = ADDRESS_FIELDS + ((proxy_header[0],) if proxy_header else ())

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET":
            return self.application(environ, start_response)
        # As Django's handler does: drops a broken or old connection, resets the checks.
        request_started.send(sender=CachedAnswers, environ=environ)
        if not any(map(environ.get, NOT_PLAIN)):  # present and not empty
            ready = self.plain_answer(environ)
            if ready is not None:
                start_response(ready.status, list(ready.headers))
                return [ready.content]
            if LOOKUP in environ:  # a miss: the view renders it
                return self.application(environ, start_response)
        from django.core.handlers.wsgi import WSGIRequest

        request = WSGIRequest(environ)
        found = lookup(request)
        if found.answer is None:
            environ[LOOKUP] = found
            return self.application(environ, start_response)
        response = self.cors.add_response_headers(request, found.answer)
        start_response(*_status_and_headers(response))
        return [response.content]

    def plain_answer(self, environ) -> Ready | None:
        """The answer to a plain request from this process's ready answers or the cache;
        None with a Lookup left in `environ` on a miss, None alone when the cache cannot
        tell (no such address, or no database: lookup() decides)."""
        address = self.address_of(environ)
        if address is None:
            return None
        scope, base = address
        try:
            version = scope.version()
        except Exception:
            return None
        key, now = entry_key(base, version), time.time()
        ready = self.ready.get(key, now)
        if ready is not None:
            return ready
        entry = _get(key)
        if entry is None or not entry.fresh(now):
            environ[LOOKUP] = Lookup(None, key, base)
            return None
        from django.core.handlers.wsgi import WSGIRequest

        request = WSGIRequest(environ)
        response = self.cors.add_response_headers(request, entry.response(request))
        ready = Ready(*_status_and_headers(response), response.content, entry.made, entry.expires)
        self.ready.put(key, ready)
        return ready

    def address_of(self, environ) -> tuple[Scope, str] | None:
        """The scope and base key of a plain request, remembered by the environ fields
        they are made from (the same fields always give the same key)."""
        fields = tuple(map(environ.get, self.address_fields))
        if fields in self.addresses:
            return self.addresses[fields]
        from django.core.handlers.wsgi import WSGIRequest

        request = WSGIRequest(environ)
        scope = scope_of(request)
        try:
            address = None if scope is None else (scope, base_key(request, scope))
        except Exception:  # DisallowedHost and the like: Django answers it
            return None
        if len(self.addresses) >= 4096:
            self.addresses.clear()
        self.addresses[fields] = address
        return address


ADDRESS_FIELDS = (
    "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO",
    "QUERY_STRING", "HTTP_ACCEPT_ENCODING", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)  # fmt: skip
"""What scope_of() and base_key() read from a request without cookies."""
NOT_PLAIN = ("HTTP_COOKIE", "HTTP_ORIGIN", *CONDITIONS)


def _status_and_headers(response: HttpResponse) -> tuple[str, list[tuple[str, str]]]:
    status = f"{response.status_code} {response.reason_phrase}"
    return status, [(str(name), str(value)) for name, value in response.items()]


@dataclass(frozen=True)
class Ready:
    """An answer as the WSGI server takes it."""

    status: str
    headers: list[tuple[str, str]]
    content: bytes
    made: float
    expires: float


class ReadyAnswers:
    """What this process sent to plain requests, by entry key, least recently used
    dropped first. The key carries the data version and the code version, so an answer
    kept here is exactly as valid as the cache entry it was made from: only its expiry is
    checked. Kept small (RSS): answers over 1 MB are not kept."""

    def __init__(self, budget: int = 16 * 2**20, largest: int = 2**20):
        self.answers: OrderedDict[str, Ready] = OrderedDict()
        self.budget, self.largest, self.size = budget, largest, 0
        self.lock = threading.Lock()  # the production stack's workers are threaded

    def get(self, key: str, now: float) -> Ready | None:
        ready = self.answers.get(key)
        if ready is None:
            return None
        if not ready.made <= now < ready.expires:
            self.drop(key)
            return None
        with self.lock:
            if key in self.answers:
                self.answers.move_to_end(key)
        return ready

    def put(self, key: str, ready: Ready) -> None:
        if len(ready.content) > self.largest:
            return
        with self.lock:
            if key in self.answers:
                return
            self.answers[key] = ready
            self.size += len(ready.content)
            while self.size > self.budget:
                _, dropped = self.answers.popitem(last=False)
                self.size -= len(dropped.content)

    def drop(self, key: str) -> None:
        with self.lock:
            dropped = self.answers.pop(key, None)
            if dropped is not None:
                self.size -= len(dropped.content)


def warm_up() -> None:
    """What a worker's first request would otherwise pay for (over a second): the views
    and everything they import, the compiled templates, the translations and the code
    version. Touches no database, so it is safe before a fork too."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (imports every view module)
    for module in WARM_MODULES:  # imported where used, so the CLI starts without them
        importlib.import_module(module)
    import babel
    import holidays

    holidays.country_holidays("SE")
    for lang, _ in settings.LANGUAGES:
        babel.Locale.parse(lang)
        with translation.override(lang):
            translation.gettext("Swedish")
            get_resolver().reverse_dict  # noqa: B018  (built per language, for reverse())
    for template in WARM_TEMPLATES:
        try:
            get_template(template)
        except TemplateDoesNotExist:  # renamed since: the first request loads it
            log.warning("warm_up: no template %s", template)
    code_version()


WARM_MODULES = (
    "babel.dates",
    "babel.numbers",
    "dateutil.rrule",
    "edtf",  # a third of a second: its grammar is built at import (the first page's dates)
    "opening_hours",
    "phonenumbers",
    "register.countries",
)
WARM_TEMPLATES = (
    "public/organisation.html",
    "public/partner.html",
    "public/activities.html",
    "public/map.svg",
)
