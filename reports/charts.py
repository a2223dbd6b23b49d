"""The annual report's charts, drawn with matplotlib as SVG.

The same SVG is put inline in the HTML page and drawn as vectors in the PDF by
WeasyPrint. Each chart is made safe for a strict Content-Security-Policy (no <style>,
no style attributes), gets its own id prefix (several charts share one page) and
carries a <title> and <desc> for screen readers. Approximate figures are hatched and
the legend says so.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from register.figures import AnnualFigures, YearFigures
from register.language import babel_locale, current_lang

if TYPE_CHECKING:
    from matplotlib.patches import Patch

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

WORLD_MAP = Path(settings.BASE_DIR) / "public" / "data" / "countries-110m.json"
BAR = "#005a9c"
YOUNG = "#b35806"
OTHER = "#9ecae1"
HATCH = "///"
MAP_ASPECT = 1.3  # degrees of latitude to longitude: about right for Europe
RC = {
    "svg.fonttype": "path",  # text as outlines: the same look in every browser and the PDF
    "svg.hashsalt": "vanort",  # stable ids, so the same report gives the same file
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.color": "white",
    "hatch.linewidth": 1.2,
}


def _pyplot():
    """matplotlib's pyplot, loaded on the first chart (not at import: it takes a second)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    return plt


def _approximate_legend() -> Patch:
    from matplotlib.patches import Patch

    return Patch(facecolor=BAR, hatch=HATCH, label=_("approximate figure (hatched)"))


def number(value: float, lang: str | None = None) -> str:
    """A number as the language writes it: '1 500' and '0,5' in Swedish, '1,500' in English."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=babel_locale(lang or current_lang()))


def count_axis(ax) -> None:
    """A y axis for counts: whole-number ticks only (no '0.0–1.2 participants'), written
    in the page's language."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    lang = current_lang()
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(value, lang)))


def activities_figure(figures: AnnualFigures):
    """The matplotlib figure and axes of activities_per_year (the caller closes it)."""
    years = figures.per_year
    plt = _pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 2.8))
        labels = [str(item.year) for item in years]
        values = [item.participants.value for item in years]
        bars = ax.bar(labels, values, color=BAR)
        for bar, item in zip(bars, years, strict=True):
            if item.participants.approximate:
                bar.set_hatch(HATCH)
            if item.activities:
                count = _n_activities(item.activities)
                ax.annotate(
                    count,
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
        ax.set_ylabel(_("participants"))
        ax.set_ylim(0, max([*values, 1]) * 1.25)
        count_axis(ax)
        ax.tick_params(axis="x", labelsize=7)
        if any(item.participants.approximate for item in years):
            ax.legend(handles=[_approximate_legend()], loc="upper left", frameon=False)
        fig.tight_layout()
    return fig, ax


def activities_per_year(figures: AnnualFigures) -> str:
    """Participants per year as bars (hatched where approximate), activities written above;
    "" when no year of the period has an activity (the page says so in words instead)."""
    years = figures.per_year
    if not any(item.activities for item in years):
        return ""
    title = _("Activities and participants per year, %(first)s–%(last)s") % {
        "first": years[0].year,
        "last": years[-1].year,
    }
    plt = _pyplot()
    with plt.rc_context(RC):
        fig, _ax = activities_figure(figures)
        svg = _to_svg(fig, "chart-activities")
    return finish_svg(svg, "chart-activities", title, _describe_years(years))


def _n_activities(n: int) -> str:
    return (_("%(n)s activity") if n == 1 else _("%(n)s activities")) % {"n": n}


def _describe_years(years: list[YearFigures]) -> str:
    parts = [
        f"{item.year}: {_n_activities(item.activities)}"
        + (f", {item.participants.text()} {_('participants')}" if item.participants.known else "")
        for item in years
        if item.activities
    ]
    return "; ".join(parts) or _("No activities recorded in these years.")


def young_share(figures: AnnualFigures) -> str:
    """Young and other participants per year, stacked, for the years that counted both."""
    counted = [item for item in figures.per_year if item.young.known and item.participants.known]
    # Every year of the period is on the axis, so a year without counts shows as a gap.
    if not counted:
        return ""  # the page has no chart to show, and says nothing more than the table
    years = figures.per_year
    title = _("Share of young participants per year")
    plt = _pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 2.6))
        if years:
            labels = [str(item.year) for item in years]
            both = [item.young.known and item.participants.known for item in years]
            young = [item.young.value if ok else 0 for item, ok in zip(years, both, strict=True)]
            other = [
                max(0, item.participants.value - item.young.value) if ok else 0
                for item, ok in zip(years, both, strict=True)
            ]
            ybars = ax.bar(labels, young, color=YOUNG, label=_("young participants"))
            obars = ax.bar(labels, other, bottom=young, color=OTHER, label=_("other participants"))
            for item, ybar, obar in zip(years, ybars, obars, strict=True):
                if item.young.approximate:
                    ybar.set_hatch(HATCH)
                if item.participants.approximate:
                    obar.set_hatch(HATCH)
                if item.young.known and item.participants.value:
                    share = round(100 * item.young.value / item.participants.value)
                    approx = item.young.approximate or item.participants.approximate
                    ax.annotate(
                        f"{'≈' if approx else ''}{number(share)}\u00a0%",
                        (ybar.get_x() + ybar.get_width() / 2, item.participants.value),
                        ha="center",
                        va="bottom",
                        fontsize=8,
                        xytext=(0, 2),
                        textcoords="offset points",
                    )
            handles = [*ax.get_legend_handles_labels()[0]]
            if any(i.young.approximate or i.participants.approximate for i in years):
                handles.append(_approximate_legend())
            ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=7)
            ax.set_ylim(0, max(i.participants.value for i in years) * 1.35 or 1)
            count_axis(ax)
            ax.tick_params(axis="x", labelsize=7)
            ax.set_ylabel(_("participants"))
        fig.tight_layout()
        svg = _to_svg(fig, "chart-young")
    description = "; ".join(
        f"{item.year}: {item.young.text()} / {item.participants.text()}" for item in counted
    ) or _("No counts of young participants.")
    return finish_svg(svg, "chart-young", title, description)


@lru_cache(maxsize=1)
def _world() -> list[tuple[str, list]]:
    """Natural Earth country shapes, if the public map's data file is there."""
    if not WORLD_MAP.exists():
        return []
    data = json.loads(WORLD_MAP.read_text())
    return [(country["code"], country["polygons"]) for country in data["countries"]]


def partners_map(figures: AnnualFigures) -> str:
    """The organisation and its partners as points on Natural Earth country shapes."""
    home = figures.organisation.place
    partners = [r.partner for r in figures.partners if r.partner.latitude is not None]
    title = _("Partners on the map")
    points = [(float(p.longitude), float(p.latitude)) for p in partners]
    if home.latitude is not None:
        points.append((float(home.longitude), float(home.latitude)))
    west, east, south, north = _extent(points)
    # Widen (or heighten) the view to the figure's shape, so the map fills the figure.
    width, height = 6.4, 4.0
    wanted = (north - south) * MAP_ASPECT * width / height
    if east - west < wanted:
        middle = (east + west) / 2
        west, east = middle - wanted / 2, middle + wanted / 2
    else:
        middle, tall = (north + south) / 2, (east - west) * height / width / MAP_ASPECT
        south, north = middle - tall / 2, middle + tall / 2
    plt = _pyplot()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height))
        rings = [
            ring
            for _code, polygons in _world()
            for polygon in polygons
            for ring in polygon[:1]  # the outer ring; lakes are not drawn at this scale
        ]
        if rings:
            from matplotlib.collections import PolyCollection

            ax.add_collection(
                PolyCollection(rings, facecolor="#e6e6e6", edgecolor="#9a9a9a", linewidth=0.4)
            )
        for place in partners:
            x, y = float(place.longitude), float(place.latitude)
            ax.plot(x, y, "o", color=BAR, markersize=5)
            ax.annotate(
                place.display_name(), (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7
            )
        if home.latitude is not None:
            x, y = float(home.longitude), float(home.latitude)
            ax.plot(x, y, "s", color=YOUNG, markersize=6)
            ax.annotate(
                home.display_name(),
                (x, y),
                xytext=(4, -9),
                textcoords="offset points",
                fontsize=7,
                fontweight="bold",
            )
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(MAP_ASPECT)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color("#9a9a9a")
        fig.tight_layout()
        svg = _to_svg(fig, "chart-map")
    description = ", ".join(f"{p.display_name()} ({p.country_name()})" for p in partners) or _(
        "No partner has coordinates."
    )
    return finish_svg(svg, "chart-map", title, description)


def _extent(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    if not points:
        return -180, 180, -60, 85
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad_x = max(8, (max(xs) - min(xs)) * 0.12)
    pad_y = max(6, (max(ys) - min(ys)) * 0.12)
    return (
        max(-180, min(xs) - pad_x),
        min(180, max(xs) + pad_x),
        max(-85, min(ys) - pad_y),
        min(85, max(ys) + pad_y),
    )


def _to_svg(fig, salt: str) -> str:
    buffer = io.StringIO()
    plt = _pyplot()
    with plt.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


# --- making the SVG fit a page ----------------------------------------------------

_STYLE_PROPERTIES = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "clip-path",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
}


def finish_svg(svg: str, prefix: str, title: str, description: str) -> str:
    """Inline-ready SVG: a title and description, unique ids, styles as attributes."""
    root = ET.fromstring(svg)
    for element in list(root.iter()):
        for child in list(element):
            if child.tag in (f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}metadata"):
                element.remove(child)
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _sep, value = declaration.partition(":")
                name, value = name.strip(), value.strip()
                if name in _STYLE_PROPERTIES and value:
                    element.set(name, value)
    for element in root.iter():
        # SVG 2's plain href needs no xlink namespace, so the markup is the same in HTML.
        if f"{{{XLINK_NS}}}href" in element.attrib:
            element.set("href", element.attrib.pop(f"{{{XLINK_NS}}}href"))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    pattern = re.compile(r"#(" + "|".join(re.escape(i) for i in ids) + r")\b") if ids else None
    for element in root.iter():
        if element.get("id"):
            element.set("id", f"{prefix}-{element.get('id')}")
        if pattern is None:
            continue
        for name, value in list(element.attrib.items()):
            if "#" in value:
                element.set(name, pattern.sub(lambda m: f"#{prefix}-{m.group(1)}", value))
    title_el = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}-title"})
    title_el.text = title
    desc_el = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{prefix}-desc"})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    root.set("class", "chart")
    # Hatches are drawn as <pattern>s that refer to ids: keep them, and keep the size
    # in points so WeasyPrint draws the chart at its natural size.
    # Plain tag names and an xmlns attribute, not ET.register_namespace: that map is
    # global, and WeasyPrint changes it too, which would turn <svg> into <ns0:svg>.
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode")
