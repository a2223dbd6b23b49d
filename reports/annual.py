"""The annual report as HTML, PDF (WeasyPrint) and CSV, from register.figures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from babel.lists import format_list
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opendata.cells import defuse_formula
from register.figures import AnnualFigures, annual_figures
from register.imprecise import Count, format_date
from register.language import babel_locale
from register.models import Organisation
from reports import charts

STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "report.css"


def report_context(organisation: Organisation, year: int, lang: str, case_number: str = "") -> dict:
    with translation.override(lang):
        figures = annual_figures(organisation, year)
        return {
            "figures": figures,
            "organisation": organisation,
            "year": year,
            "lang": lang,
            "case_number": case_number,
            "produced": format_date(timezone.localdate().isoformat(), lang),
            "summary": summary(figures, lang),
            "as_of": format_date(figures.as_of.isoformat(), lang),
            "charts": {
                "activities": charts.activities_per_year(figures),
                "young": charts.young_share(figures),
                "map": charts.partners_map(figures),
            },
        }


def summary(figures: AnnualFigures, lang: str) -> list[str]:
    """The cover's few sentences, written from the figures (in the active language)."""
    name = figures.organisation.name
    in_force = [item.relation.partner.display_name(lang) for item in figures.in_force]
    day = format_date(figures.as_of.isoformat(), lang)
    if in_force:
        sentences = [
            ngettext(
                "On %(day)s %(name)s had %(n)s relation in force: with %(partners)s.",
                "On %(day)s %(name)s had %(n)s relations in force: with %(partners)s.",
                len(in_force),
            )
            % {
                "day": day,
                "name": name,
                "n": len(in_force),
                "partners": format_list(in_force, locale=babel_locale(lang)),
            }
        ]
    else:
        sentences = [
            _("On %(day)s %(name)s had no relation in force.") % {"day": day, "name": name}
        ]
    signed, ended = len(figures.signed), len(figures.ended)
    if signed:
        sentences.append(
            ngettext(
                "%(n)s agreement was signed or renewed during the year.",
                "%(n)s agreements were signed or renewed during the year.",
                signed,
            )
            % {"n": signed}
        )
    else:
        sentences.append(_("No agreement was signed or renewed during the year."))
    if ended:
        sentences.append(
            ngettext("%(n)s agreement ended.", "%(n)s agreements ended.", ended) % {"n": ended}
        )
    decisions = sum(len(items) for _body, items in figures.decisions_by_body)
    if decisions:
        sentences.append(
            ngettext("%(n)s decision was recorded.", "%(n)s decisions were recorded.", decisions)
            % {"n": decisions}
        )
    activities = len(figures.activities)
    if not activities:
        sentences.append(_("No activities were recorded."))
    elif figures.participants.known:
        sentences.append(
            ngettext(
                "%(n)s activity was recorded, with %(participants)s participants.",
                "%(n)s activities were recorded, with %(participants)s participants in all.",
                activities,
            )
            % {"n": activities, "participants": figures.participants.text(lang)}
        )
    else:
        sentences.append(
            ngettext("%(n)s activity was recorded.", "%(n)s activities were recorded.", activities)
            % {"n": activities}
        )
    if figures.share_young.percent is not None:
        sentences.append(
            _("Young people made up %(share)s of the participants.")
            % {"share": figures.share_young.text(lang)}
        )
    return sentences


def render_html(context: dict, *, for_pdf: bool = False) -> str:
    with translation.override(context["lang"]):
        return render_to_string("reports/annual.html", {**context, "for_pdf": for_pdf})


def render_pdf(context: dict) -> bytes:
    """The same page as a PDF; the inline SVG charts stay vector graphics."""
    from weasyprint import CSS, HTML  # imported here: loading it takes a moment

    html = render_html(context, for_pdf=True)
    # No base_url: the page needs no files, and the charts refer only to their own ids.
    # Tagged (PDF/UA-1): a structure tree from the HTML's headings, tables and lists,
    # the document language from <html lang>, and the title from <title>.
    return HTML(string=html).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1"
    )


CSV_HEADER = ("section", "subject", "measure", "value", "approximate", "note")


def render_csv(figures: AnnualFigures, lang: str) -> str:
    """The report's figures, one a row, for the editor's own spreadsheet.

    A UTF-8 byte order mark lets Excel read å, ä and ö; text that a spreadsheet would
    run as a formula is defused (opendata/cells.py); approximate figures say so in
    their own column, and sums that miss counts say how many in the note."""
    with translation.override(lang):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow([_(column) for column in CSV_HEADER])
        for row in _csv_rows(figures, lang):
            writer.writerow([defuse_formula(cell) for cell in row])
        return out.getvalue()


def _count_row(section: str, subject: str, measure: str, count: Count) -> list:
    return [
        section,
        subject,
        measure,
        count.value if count.known else "",
        _("yes") if count.approximate else _("no"),
        count.note(),
    ]


def _csv_rows(figures: AnnualFigures, lang: str):
    yes, no = _("yes"), _("no")
    for item in figures.relations:
        partner = item.relation.partner
        yield [
            _("relations on 31 December"),
            f"{partner.display_name(lang)} ({partner.country_name(lang)})",
            _("status"),
            item.status_label,
            "",
            ", ".join(f"{a.kind.label} {a.period_text(lang)}" for a in item.agreements),
        ]
    for section, agreements in (
        (_("agreements signed"), figures.signed),
        (_("agreements renewed"), figures.renewed),
        (_("agreements ended"), figures.ended),
    ):
        for agreement in agreements:
            yield [
                section,
                agreement.relation.partner.display_name(lang),
                agreement.kind.label,
                agreement.period_text(lang),
                "",
                str(agreement.decision or agreement.ending_decision or ""),
            ]
    for body, decisions in figures.decisions_by_body:
        for decision in decisions:
            yield [
                _("decisions by body"),
                body,
                decision.reference,
                format_date(decision.date, lang),
                "",
                decision.relation.partner.display_name(lang),
            ]
    for activity, cerv in figures.activities:
        subject = f"{activity} ({format_date(activity.date, lang)})"
        yield [
            _("activities"),
            subject,
            _("participants"),
            activity.participants if activity.participants is not None else "",
            yes if activity.participants_approximate else no,
            "",
        ]
        yield [
            _("activities"),
            subject,
            _("young participants"),
            activity.young_participants if activity.young_participants is not None else "",
            yes if activity.young_participants_approximate else no,
            "",
        ]
        yield [_("activities"), subject, _("EU CERV Town-Twinning"), cerv.verdict(), "", ""]
    yield _count_row(_("totals"), str(figures.year), _("participants"), figures.participants)
    yield _count_row(_("totals"), str(figures.year), _("young participants"), figures.young)
    share = figures.share_young
    yield [
        _("totals"),
        str(figures.year),
        _("share of young participants (%)"),
        round(share.percent) if share.percent is not None else "",
        yes if share.approximate else no,
        "",
    ]
    for funder, items in figures.funding_by_funder:
        for agreement, percent in items:
            yield [
                _("funding by funder"),
                funder,
                f"{agreement.kind.label}, {agreement.relation.partner.display_name(lang)}",
                f"{percent.normalize():f}" if percent is not None else "",
                "",
                _("share (%)"),
            ]
    for item in figures.per_year:
        yield [_("per year"), str(item.year), _("activities"), item.activities, no, ""]
        yield _count_row(_("per year"), str(item.year), _("participants"), item.participants)
        yield _count_row(_("per year"), str(item.year), _("young participants"), item.young)
    for summary in figures.partnerships:
        subject = summary.relation.partner.display_name(lang)
        yield [_("municipal partnerships"), subject, _("period"), summary.period_text(lang), "", ""]
        yield [_("municipal partnerships"), subject, _("purpose"), summary.purpose, "", ""]
        yield [
            _("municipal partnerships"),
            subject,
            _("activities"),
            len(summary.activities),
            no,
            "",
        ]
        yield _count_row(
            _("municipal partnerships"), subject, _("participants"), summary.participants
        )
        yield [
            _("municipal partnerships"),
            subject,
            _("funding"),
            "; ".join(summary.funders),
            "",
            "",
        ]
