"""The national register's pages: thin views over queries.py and statistics.py.

Served only when the installation is national (settings.VANORT_NATIONAL)."""

from __future__ import annotations

import csv
import json
from functools import wraps

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from interop.models import ReportedPair
from national import queries, statistics
from national import seeking as seeking_data
from national.counties import county_of
from national.forms import FilterForm, SeekingFilterForm
from national.map import clustered
from national.models import PartnerProfile
from national.queries import OWN, REPORTED, Filters
from register.language import current_lang
from register.models import Place, Relation, country_name, validate_country_code

PAGE_SIZE = 25  # rows per page: each one costs more to render than to fetch


def national(view):
    """404 unless the installation is national; GET only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not getattr(settings, "VANORT_NATIONAL", False):
            raise Http404("This installation is not a national register.")
        return view(request, *args, **kwargs)

    return require_GET(wrapper)


def _form(request: HttpRequest, places) -> FilterForm:
    """Always bound, with the municipalities' own registers chosen unless asked otherwise."""
    data = request.GET.copy()
    data.setdefault("source", OWN)
    return FilterForm(data, places=places, countries=queries.partner_countries(places))


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _rows(filters: Filters, places, today, lang, page_number):
    """(this source's page of rows, counts of both sources)."""
    urls = queries.Urls()
    own = queries.own_relations(filters, places, today)
    reported = queries.reported_pairs(filters, places)
    counts = {OWN: own.count(), REPORTED: reported.count()}
    if filters.source == REPORTED:
        paginator = Paginator(queries.reported_page_rows(reported), PAGE_SIZE)
        paginator.count = counts[REPORTED]  # counted above: no second COUNT query
        page = paginator.get_page(page_number)
        rows = [urls.fill(queries.reported_row(pair, lang)) for pair in page.object_list]
    else:
        paginator = Paginator(queries.own_page_rows(own), PAGE_SIZE)
        paginator.count = counts[OWN]
        page = paginator.get_page(page_number)
        rows = [urls.fill(queries.own_row(r, today, lang)) for r in page.object_list]
    return page, rows, counts


@national
def register(request: HttpRequest) -> HttpResponse:
    lang = current_lang()
    today = timezone.localdate()
    places = queries.swedish_places(current_lang())
    form = _form(request, places)
    filters = form.filters()
    page, rows, counts = _rows(filters, places, today, lang, request.GET.get("page"))
    query = _query_without(request, "page")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "counts": counts,
        "map": clustered(queries.partner_points(filters, places, today)),
        "query": query,
        "source_links": {source: "?" + _with(request, source=source) for source in (OWN, REPORTED)},
        "invalid": [form.fields[name].label for name in form.errors],
    }
    return render(request, "national/register.html", context)


def _with(request: HttpRequest, **values) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


@national
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list of one source as CSV or GeoJSON (every row, not one page)."""
    lang = current_lang()
    today = timezone.localdate()
    places = queries.swedish_places(current_lang())
    form = _form(request, places)
    filters = form.filters()
    if filters.source == REPORTED:
        objects = queries.reported_page_rows(queries.reported_pairs(filters, places))
        rows = [queries.reported_row(pair, lang) for pair in objects]
    else:
        objects = queries.own_page_rows(queries.own_relations(filters, places, today))
        rows = [queries.own_row(relation, today, lang) for relation in objects]
    if fmt == "geojson":
        return _geojson(request, rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vanort-register-{filters.source}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "source",
            "source_label",
            "municipality",
            "municipality_place_id",
            "county",
            "partner",
            "partner_place_id",
            "partner_country",
            "kinds",
            "period",
            "status",
            "last_activity",
            "dormant",
        ]
    )
    for row in rows:
        county = county_of(row.municipality.name, row.municipality.region)
        writer.writerow(
            [
                row.source,
                row.source_label,
                row.organisation.name if row.organisation else row.municipality.name,
                row.municipality.pk,
                county.name(lang) if county else "",
                row.partner.display_name(lang),
                row.partner.pk,
                row.partner.country,
                "; ".join(row.kinds),
                row.period,
                row.status,
                row.last_activity,
                "yes" if row.dormant else "",
            ]
        )
    return response


def _geojson(request: HttpRequest, rows) -> HttpResponse:
    features = []
    for row in rows:
        partner = row.partner
        if partner.latitude is None or partner.longitude is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(partner.longitude), float(partner.latitude)],
                },
                "properties": {
                    "source": row.source,
                    "source_label": row.source_label,
                    "municipality": row.organisation.name
                    if row.organisation
                    else row.municipality.name,
                    "partner": partner.display_name(),
                    "partner_country": partner.country,
                    "kinds": row.kinds,
                    "status": row.status,
                    "last_activity": row.last_activity,
                    "url": request.build_absolute_uri(reverse("national:place", args=[partner.pk])),
                },
            }
        )
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/geo+json")


@national
def place(request: HttpRequest, pk: int) -> HttpResponse:
    """A place and every Swedish twinning it has, in both sources, each with its source."""
    lang = current_lang()
    today = timezone.localdate()
    the_place = get_object_or_404(
        Place.objects.select_related("organisation").prefetch_related("names"), pk=pk
    )
    own = queries.own_page_rows(
        Relation.objects.published().filter(Q(partner=the_place) | Q(organisation__place=the_place))
    ).prefetch_related("sources")
    urls = queries.Urls()
    own_rows = [urls.fill(queries.own_row(relation, today, lang)) for relation in own]
    pairs = queries.reported_page_rows(
        ReportedPair.objects.filter(
            Q(place_a=the_place, place_b__country=queries.HOME)
            | Q(place_b=the_place, place_a__country=queries.HOME)
        )
        if the_place.country != queries.HOME
        else ReportedPair.objects.involving(the_place)
    )
    reported_rows = [urls.fill(queries.reported_row(pair, lang)) for pair in pairs]
    names = sorted(the_place.names.all(), key=lambda n: n.language)
    context = {
        "place": the_place,
        "names": names,
        "county": county_of(the_place.name, the_place.region, the_place.country),
        "own_rows": own_rows,
        "own_relations": own,
        "reported_rows": reported_rows,
    }
    return render(request, "national/place.html", context)


@national
def country(request: HttpRequest, code: str) -> HttpResponse:
    code = code.upper()
    try:
        validate_country_code(code)
    except Exception:
        raise Http404("No such country") from None
    lang = current_lang()
    today = timezone.localdate()
    filters = Filters(country=code)
    places = queries.swedish_places(lang)
    own_rows_all = queries.own_relations(filters, places, today)
    pairs = queries.reported_pairs(filters, places)
    stats = statistics.compute(today, relations=own_rows_all, pairs=pairs)
    urls = queries.Urls()
    # The first page of each list; the register lists them all, filtered by the country.
    own_rows = [
        urls.fill(queries.own_row(relation, today, lang))
        for relation in queries.own_page_rows(own_rows_all)[:PAGE_SIZE]
    ]
    reported_rows = [
        urls.fill(queries.reported_row(pair, lang))
        for pair in queries.reported_page_rows(pairs)[:PAGE_SIZE]
    ]
    figures = {
        "municipalities": stats.municipalities,
        "relations": stats.relations,
        "in_force": stats.relations_in_force,
        "dormant": stats.dormant,
        "reported": stats.reported_pairs,
        "reported_municipalities": stats.reported_municipalities,
    }
    context = {
        "code": code,
        "name": country_name(code, lang),
        "own_rows": own_rows,
        "reported_rows": reported_rows,
        "figures": figures,
        "register_url": reverse("national:register") + f"?country={code}",
        "reported_url": reverse("national:register") + f"?country={code}&source=reported",
    }
    return render(request, "national/country.html", context)


@national
def statistics_page(request: HttpRequest) -> HttpResponse:
    stats = statistics.compute(timezone.localdate())
    rows = stats.country_rows(current_lang())
    top = max([r[2] for r in rows] + [r[3] for r in rows] + [1])
    context = {"stats": stats, "country_rows": rows, "top": top}
    return render(request, "national/statistics.html", context)


@national
def statistics_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(statistics.compute(timezone.localdate()).as_json())


def _seeking_countries(today) -> list[str]:
    """The countries a filter offers: of the valid profiles' seekers and wishes (one query)."""
    from national.models import country_codes

    codes = set()
    rows = PartnerProfile.objects.valid_on(today).values_list(
        "organisation__place__country", "place__country", "countries"
    )
    for own_country, foreign_country, wanted in rows:
        codes.update(c for c in (own_country, foreign_country) if c)
        codes.update(country_codes(wanted))
    return sorted(codes)


@national
def seeking(request: HttpRequest) -> HttpResponse:
    """Municipalities seeking a partner: the valid, published profiles, filtered."""
    today = timezone.localdate()
    form = SeekingFilterForm(request.GET, countries=_seeking_countries(today))
    theme, country_code = form.values()
    paginator = Paginator(seeking_data.listed(today, theme, country_code), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "profiles": list(page.object_list),
        "query": _query_without(request, "page"),
        "invalid": [form.fields[name].label for name in form.errors],
        "nav": "seeking",
    }
    return render(request, "national/seeking.html", context)


@national
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """One profile and its best matches, each explained in words."""
    today = timezone.localdate()
    the_profile = get_object_or_404(seeking_data.profiles().valid_on(today), pk=pk)
    found = seeking_data.matching(the_profile, today)
    lang = current_lang()
    urls = queries.Urls()
    seeking_url = reverse("national:profile", args=[999999999])
    rows = []
    for match in found.matches:
        candidate = found.profiles.get(match.candidate.key)
        place = found.places.get(match.candidate.place_id)
        rows.append(
            {
                "name": match.candidate.name(lang),
                "country": country_name(match.candidate.country, lang),
                "is_profile": candidate is not None,
                "url": seeking_url.replace("999999999", str(candidate.pk))
                if candidate is not None
                else urls.place_url(place),
                "score": match.score,
                "reasons": match.explanation(lang),
            }
        )
    seeker = seeking_data.seeker_place(the_profile)
    context = {
        "profile": the_profile,
        "seeker": seeker,
        "seeker_name": the_profile.seeker_name(lang),
        "seeker_url": urls.organisation_url(the_profile.organisation)
        if the_profile.organisation_id
        else urls.place_url(seeker),
        "wanted": [country_name(code, lang) for code in the_profile.wanted_countries],
        "matches": rows,
        "nav": "seeking",
    }
    return render(request, "national/profile.html", context)


def home(request: HttpRequest) -> HttpResponse:
    """/sv/ and /en/: the national register when the installation leads there
    (settings.VANORT_ROOT), else the municipality's own page (public's index)."""
    if settings.VANORT_NATIONAL and settings.VANORT_ROOT == "register":
        return redirect("national:register")
    from public.views import index

    return index(request)
