"""The public page's sentences, written from the register the way a municipality writes
its own page (issue 15): "Halmstads kommun har sedan 1940-talet samarbetsavtal med
Gentofte i Danmark och Hangö i Finland och sedan 1990-talet en vänortsliknande
förbindelse med Stord i Norge."

Plain functions over plain values (names, EDTF dates, counts, a derived status), so each
sentence can be checked by a Swedish-speaking reader in a unit test
(tests/test_page_prose.py); `tie_of` reads a Relation into such values. Both languages
are written here, as register/wording.py does: the word order differs too much between
Swedish and English for one message with placeholders. Dates keep the precision their
source gave (register/imprecise.py writes them), and the tense follows the status that
is derived from the dates, never typed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst

from register.countries import preposition
from register.imprecise import _plain, _precision, _split_qualifier, format_count, format_date
from register.wording import join

ACTIVE, ENDED, UPCOMING = "active", "ended", "upcoming"

# Swedish nouns by their last part: the gender (for "en"/"ett") and the definite ending.
# Kinds and activity kinds are vocabulary the editors can extend; a word not listed here
# is written without an article, and an agreement's subject falls back to "Avtalet".
SV_NOUNS: list[tuple[str, str, str]] = [
    ("förbindelse", "en", "n"),
    ("överenskommelse", "en", "n"),
    ("förklaring", "en", "en"),
    ("partnerskap", "ett", "et"),
    ("samarbete", "ett", "t"),
    ("avtal", "ett", "et"),
    ("möte", "ett", "t"),
    ("utbyte", "ett", "t"),
    ("besök", "ett", "et"),
    ("konferens", "en", "en"),
    ("projekt", "ett", "et"),
    ("resa", "en", "n"),
    ("workshop", "en", "en"),
]
# Kinds that are a relation rather than an agreement: they exist, they are not in force.
RELATION_WORDS = ("förbindelse", "relation")
# Activities that are held (a meeting); the others are carried out.
HELD_WORDS = ("möte", "konferens", "seminarium", "workshop", "meeting", "conference")


def _noun(label: str) -> tuple[str, str] | None:
    last = label.split()[-1].lower() if label.split() else ""
    for ending, gender, definite in SV_NOUNS:
        if last.endswith(ending):
            return gender, definite
    return None


def indefinite(label: str, lang: str) -> str:
    """'ett kommunalt partnerskap', 'en vänortsliknande förbindelse'; 'a municipal
    partnership', 'an exchange'."""
    if lang != "sv":
        return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"
    noun = _noun(label)
    return f"{noun[0]} {label}" if noun else label


def definite(label: str, lang: str) -> str:
    """The kind as the subject of a sentence: 'Partnerskapet', 'Förbindelsen',
    'Samarbetsavtalet'; 'The municipal partnership'."""
    if lang != "sv":
        return f"The {label}"
    noun = _noun(label)
    if noun is None:
        return "Avtalet"
    return capfirst(label.split()[-1] + noun[1])


# --- dates as a sentence uses them ---------------------------------------------------------


def _phrase(core: str, lang: str, *, day_article: bool = False) -> str:
    words = _plain(core, lang)
    if day_article and lang == "sv" and _precision(core) == "day":
        return f"den {words}"
    return words


def _qualified(words: str, qualifier: str, lang: str, about: str) -> str:
    sv = lang == "sv"
    if qualifier in ("~", "%"):
        words = f"{about} {words}"
    if qualifier in ("?", "%"):
        words = f"{words} (osäkert)" if sv else f"{words} (uncertain)"
    return words


def since_phrase(text: str, lang: str) -> str:
    """'sedan 1940-talet', 'sedan åtminstone 2009' ([..2009]), 'sedan den 5 oktober 2010';
    'since the 1940s', 'since at least 2009', 'since 5 October 2010'."""
    if not text:
        return ""
    sv = lang == "sv"
    core, qualifier = _split_qualifier(text)
    if core.startswith("[..") and core.endswith("]"):
        inner = _phrase(core[3:-1], lang)
        words = f"sedan åtminstone {inner}" if sv else f"since at least {inner}"
        return _qualified(words, qualifier, lang, "")
    if _precision(core) in ("open", "range"):
        return format_date(text, lang, since=True)
    words = _qualified(_phrase(core, lang, day_article=True), qualifier, lang, _about(lang))
    return f"sedan {words}" if sv else f"since {words}"


def when_phrase(text: str, lang: str) -> str:
    """When something happened: 'år 2010', 'i oktober 2010', 'den 5 oktober 2010',
    'under 1990-talet', 'senast 2009', 'omkring 2010'; 'in 2010', 'in October 2010',
    'on 5 October 2010', 'in the 1990s', 'by 2009', 'around 2010'."""
    if not text:
        return ""
    sv = lang == "sv"
    core, qualifier = _split_qualifier(text)
    if core.startswith("[..") and core.endswith("]") or core.startswith("../"):
        inner = _phrase(core[3:-1] if core.startswith("[") else core[3:], lang)
        return _qualified(f"senast {inner}" if sv else f"by {inner}", qualifier, lang, "")
    if "/" in core:
        low, high = core.split("/", 1)
        if high in ("", ".."):
            return _qualified(
                f"från {_phrase(low, lang)}" if sv else f"from {_phrase(low, lang)}",
                qualifier,
                lang,
                "",
            )
        a, b = _phrase(low, lang), _phrase(high, lang)
        words = f"mellan {a} och {b}" if sv else f"between {a} and {b}"
        return _qualified(words, qualifier, lang, "")
    if core.startswith("["):
        return format_date(text, lang)
    precision = _precision(core)
    words = _phrase(core, lang)
    if qualifier in ("~", "%"):
        return _qualified(words, qualifier, lang, "omkring" if sv else "around")
    if sv:
        words = {
            "year": f"år {words}",
            "month": f"i {words}",
            "day": f"den {words}",
        }.get(precision, f"under {words}")
    else:
        words = {"day": f"on {words}"}.get(precision, f"in {words}")
    return _qualified(words, qualifier, lang, "")


def _about(lang: str) -> str:
    return "cirka" if lang == "sv" else "about"


def _point(text: str, lang: str) -> str:
    """A date after 'från'/'till' ('from'/'to'): '2008', '1940-talet', 'den 5 oktober 2010'."""
    core, qualifier = _split_qualifier(text)
    if _precision(core) in ("open", "range"):
        return format_date(text, lang)
    return _qualified(_phrase(core, lang, day_article=True), qualifier, lang, _about(lang))


def span_phrase(start: str, end: str, lang: str) -> str:
    """An ended period: 'mellan 2008 och 2012', 'fram till 2012'; 'from 2008 to 2012'."""
    sv = lang == "sv"
    if start and end:
        a, b = _point(start, lang), _point(end, lang)
        return f"mellan {a} och {b}" if sv else f"from {a} to {b}"
    if end:
        return f"fram till {_point(end, lang)}" if sv else f"until {_point(end, lang)}"
    return since_phrase(start, lang)


def from_phrase(start: str, lang: str) -> str:
    if not start:
        return ""
    return f"från {_point(start, lang)}" if lang == "sv" else f"from {_point(start, lang)}"


# --- a relation, and relations grouped ------------------------------------------------------


@dataclass(frozen=True)
class Tie:
    """One relation as a sentence tells it, in one language."""

    partner: str
    country: str  # ISO 3166-1 alpha-2
    country_name: str
    region: str = ""
    kind: str = ""  # the lasting kind in the language ("samarbetsavtal"); "" = cooperation
    kind_plural: str = ""
    since: str = ""  # EDTF
    until: str = ""  # EDTF: the end, for an ended tie
    status: str = ACTIVE


def _partners(ties: Sequence[Tie], lang: str) -> str:
    """'Gentofte i Danmark och Hangö i Finland', 'Oulu och Tammerfors i Finland', 'Asti i
    regionen Piemonte i Italien'; 'Asti in the Piemonte region of Italy'."""
    groups: list[tuple[str, list[Tie]]] = []
    for tie in ties:
        key = tie.country if not tie.region else f"{tie.country}:{tie.partner}"
        for existing, members in groups:
            if existing == key:
                members.append(tie)
                break
        else:
            groups.append((key, [tie]))
    phrases = []
    for _key, members in groups:
        first = members[0]
        where = f"{preposition(first.country, lang)} {first.country_name}"
        if first.region:
            phrases.append(
                f"{first.partner} i regionen {first.region} {where}"
                if lang == "sv"
                else f"{first.partner} in the {first.region} region of {first.country_name}"
            )
        else:
            phrases.append(f"{join([m.partner for m in members], lang)} {where}")
    return join(phrases, lang)


def _clause(ties: Sequence[Tie], lang: str) -> tuple[str, str]:
    """(the verb, what follows it) for ties of one kind, period and status."""
    first = ties[0]
    sv = lang == "sv"
    partners = _partners(ties, lang)
    if first.status == ENDED:
        period = span_phrase(first.since, first.until, lang)
    elif first.status == UPCOMING:
        period = from_phrase(first.since, lang)
    else:
        period = since_phrase(first.since, lang)
    if first.kind:
        thing = indefinite(first.kind, lang) if len(ties) == 1 else first.kind_plural or first.kind
        obj = f"{thing} med {partners}" if sv else f"{thing} with {partners}"
    else:
        obj = f"med {partners}" if sv else f"with {partners}"
    if sv:
        verb = {
            (True, ACTIVE): "har",
            (True, ENDED): "hade",
            (True, UPCOMING): "kommer",
            (False, ACTIVE): "samarbetar",
            (False, ENDED): "samarbetade",
            (False, UPCOMING): "kommer",
        }[(bool(first.kind), first.status)]
        if first.status == UPCOMING:  # "kommer från 2027 att ha ett samarbetsavtal med …"
            infinitive = "att ha" if first.kind else "att samarbeta"
            return verb, " ".join(part for part in (period, infinitive, obj) if part)
        return verb, " ".join(part for part in (period, obj) if part)
    verb = {
        (True, ACTIVE): "has had" if period else "has",
        (True, ENDED): "had",
        (True, UPCOMING): "will have",
        (False, ACTIVE): "has cooperated" if period else "cooperates",
        (False, ENDED): "cooperated",
        (False, UPCOMING): "will cooperate",
    }[(bool(first.kind), first.status)]
    return verb, " ".join(part for part in (obj, period) if part)


def ties_sentence(name: str, ties: Sequence[Tie], lang: str) -> str:
    """The organisation's relations in one sentence, grouped by kind, period and tense
    in the order they come, partners listed with their country: the seed page's
    "Halmstads kommun har sedan tiden efter andra världskriget samarbetsavtal med Hangö i
    Finland och Gentofte i Danmark och sedan 1990-talet vänortsliknande förbindelser med
    norska Stord", written from the data."""
    if not ties:
        return ""
    groups: list[tuple[tuple, list[Tie]]] = []
    for tie in ties:
        key = (tie.status, tie.kind, tie.since, tie.until)
        for existing, members in groups:
            if existing == key:
                members.append(tie)
                break
        else:
            groups.append((key, [tie]))
    phrases: list[tuple[str, list[str]]] = []
    for _key, members in groups:
        verb, rest = _clause(members, lang)
        if phrases and phrases[-1][0] == verb:
            phrases[-1][1].append(rest)
        else:
            phrases.append((verb, [rest]))
    body = join([f"{verb} {join(rests, lang)}" for verb, rests in phrases], lang)
    return f"{name} {body}."


# --- an agreement ---------------------------------------------------------------------------


def agreement_sentence(
    kind: str,
    lang: str,
    *,
    status: str,
    start: str = "",
    end: str = "",
    term_months: int | None = None,
    has_duration: bool = True,
    ended_early: bool = False,
) -> str:
    """The agreement's term in the tense its status asks: 'Partnerskapet gällde i fyra
    år, från 2008 till 2012.', 'Samarbetsavtalet har gällt sedan 2019.', 'Avtalet gäller
    från 2027.'; a letter of intent is signed once: 'Avsiktsförklaringen undertecknades
    år 2009.' `end` is the effective end (the end given, or start plus term)."""
    from register.models import term_words

    sv = lang == "sv"
    subject = definite(kind, lang)
    if not has_duration:
        if not start:
            return ""
        when = when_phrase(start, lang)
        return f"{subject} undertecknades {when}." if sv else f"{subject} was signed {when}."
    relation = any(word in kind.lower() for word in RELATION_WORDS)
    term = term_words(term_months, lang) if term_months else ""
    if sv:
        now, perfect, past = (
            ("finns", "har funnits", "fanns")
            if relation
            else (
                "gäller",
                "har gällt",
                "gällde",
            )
        )
    else:
        now, perfect, past = (
            ("exists", "has existed", "existed")
            if relation
            else (
                "is in force",
                "has been in force",
                "was in force",
            )
        )
    future = "will exist" if relation else "will be in force"
    if status == ENDED:
        if sv:
            period = (
                f"från {_point(start, lang)} till {_point(end, lang)}"
                if start
                else (f"till {_point(end, lang)}" if end else "")
            )
            text = f"{subject} {past}" + (f" i {term}," if term and start else "")
            text += f" {period}" if period else ""
            return text + (" och avslutades i förtid." if ended_early else ".")
        period = (
            f"from {_point(start, lang)} to {_point(end, lang)}"
            if start
            else (f"until {_point(end, lang)}" if end else "")
        )
        text = f"{subject} {past}" + (f" for {term}," if term and start else "")
        text += f" {period}" if period else ""
        return text + (" and was ended early." if ended_early else ".")
    if status == UPCOMING:
        if sv:
            text = f"{subject} {now} {from_phrase(start, lang)}".rstrip()
            if end:
                text += (
                    f" i {term}, till {_point(end, lang)}" if term else f" till {_point(end, lang)}"
                )
            return text + "."
        if end and term:
            return (
                f"{subject} {future} for {term}, from {_point(start, lang)} to {_point(end, lang)}."
            )
        if end:
            return f"{subject} {future} from {_point(start, lang)} to {_point(end, lang)}."
        return f"{subject} {future} {from_phrase(start, lang)}.".replace(" .", ".")
    # active
    if start and end:
        if sv:
            rest = f"i {term}, till {_point(end, lang)}" if term else f"till {_point(end, lang)}"
            return f"{subject} {perfect} {since_phrase(start, lang)} och {now} {rest}."
        rest = f"for {term}, until {_point(end, lang)}" if term else f"until {_point(end, lang)}"
        return f"{subject} {perfect} {since_phrase(start, lang)} and runs {rest}."
    if start:
        return f"{subject} {perfect} {since_phrase(start, lang)}."
    if end:
        return (
            f"{subject} {now} till {_point(end, lang)}."
            if sv
            else f"{subject} {now} until {_point(end, lang)}."
        )
    return f"{subject} {now}."


# --- an activity ------------------------------------------------------------------------


def activity_sentence(
    kind: str,
    when: str,
    lang: str,
    *,
    partners: Sequence[str] = (),
    place: str = "",
    themes: Sequence[str] = (),
    upcoming: bool = False,
) -> str:
    """'I oktober 2010 hölls ett medborgarmöte med Asti kring kultur och demokrati.';
    'In October 2010, a citizens' meeting with Asti was held on culture and democracy.'
    `place` is where it was, with its preposition ('i Italien', 'på Island')."""
    sv = lang == "sv"
    held = any(word in kind.lower() for word in HELD_WORDS)
    what = indefinite(kind, lang)
    if partners:
        what += (
            f" med {join(list(partners), lang)}" if sv else f" with {join(list(partners), lang)}"
        )
    if sv:
        verb = (
            ("hålls" if upcoming else "hölls")
            if held
            else ("genomförs" if upcoming else "genomfördes")
        )
        parts = [when_phrase(when, lang), verb, what]
        if place:
            parts.append(place)
        if themes:
            parts.append(f"kring {join(list(themes), lang)}")
        return capfirst(" ".join(part for part in parts if part)) + "."
    if upcoming:
        verb = "will be held" if held else "will take place"
    else:
        verb = "was held" if held else "took place"
    parts = [what, verb] + ([place] if place else [])
    if themes:
        parts.append(f"on {join(list(themes), lang)}")
    sentence = " ".join(parts)
    opening = when_phrase(when, lang)
    return capfirst(f"{opening}, {sentence}" if opening else sentence) + "."


def participants_sentence(
    lang: str,
    participants: int | None,
    approximate: bool = False,
    young: int | None = None,
    young_approximate: bool = False,
) -> str:
    """'Ett 100-tal personer deltog, varav cirka 80 ungdomar.'; 'About 100 people took
    part, of whom about 80 were young people.' Counts keep their precision."""
    sv = lang == "sv"
    if participants is None and young is None:
        return ""
    young_text = format_count(young, young_approximate, lang) if young is not None else ""
    if participants is None:
        if sv:
            return capfirst(f"{young_text} {'ungdom' if young == 1 else 'ungdomar'} deltog.")
        return capfirst(f"{young_text} young {'person' if young == 1 else 'people'} took part.")
    total = format_count(participants, approximate, lang)
    if sv:
        text = f"{total} {'person' if participants == 1 else 'personer'} deltog"
        if young is not None:
            text += f", varav {young_text} {'ungdom' if young == 1 else 'ungdomar'}"
        return capfirst(text) + "."
    text = f"{total} {'person' if participants == 1 else 'people'} took part"
    if young is not None:
        text += (
            f", of whom {young_text} {'was a young person' if young == 1 else 'were young people'}"
        )
    return capfirst(text) + "."


# --- from the register ----------------------------------------------------------------------


def ties_of(relation, lang: str, day: date) -> list[Tie]:
    """A relation as sentences tell it: one tie per lasting agreement (a letter of intent
    is signed once and is no lasting kind; an agreement renewed by another is told by
    its renewal), with its start (or the relation's), its end once ended, and its status
    on `day`; a relation without one is plain cooperation since the relation's start.
    Reads the prefetched agreements: no query."""
    agreements = list(relation.agreements.all())
    renewed = {a.renews_id for a in agreements if a.renews_id}
    partner = relation.partner
    where = {
        "partner": partner.display_name(lang),
        "country": partner.country,
        "country_name": partner.country_name(lang),
        "region": partner.region,
    }
    ties: list[Tie] = []
    for agreement in agreements:
        if not agreement.kind.has_duration or agreement.pk in renewed:
            continue
        kind = agreement.kind
        label = kind.label_sv if lang == "sv" else kind.label_en
        plural = (kind.plural_sv if lang == "sv" else kind.plural_en) or label
        status = str(agreement.status_on(day))
        tie = Tie(
            **where,
            kind=label,
            kind_plural=plural,
            since=agreement.start or relation.since,
            until=agreement.effective_end if status == ENDED else "",
            status=status,
        )
        if tie not in ties:
            ties.append(tie)
    return ties or [Tie(**where, since=relation.since)]


def not_on_record_sentence(partners: Sequence[str], lang: str) -> str:
    """For agreements told only in the grouping sentence: 'Besluten om avtalen med
    Gentofte och Hangö är inte registrerade.' (register/governance.py's mark)."""
    if not partners:
        return ""
    names = join(list(partners), lang)
    if lang == "sv":
        if len(partners) == 1:
            return f"Beslutet om avtalet med {names} är inte registrerat."
        return f"Besluten om avtalen med {names} är inte registrerade."
    if len(partners) == 1:
        return f"The decision on the agreement with {names} is not on record."
    return f"The decisions on the agreements with {names} are not on record."
