"""Matching partner seekers: a score and the reasons for it, in Swedish and English.

Pure functions over plain values (no database): the view fetches the parties, this
module ranks them. A candidate is another profile or a place of the register; it scores

- THEME points for each theme both want to work on,
- COUNTRY points when it lies in a country the seeker wants, MUTUAL more when it wants
  the seeker's country too,
- up to SIZE points for a similar population (both known; the smaller over the larger),
- CHAIN points for each place both are already twinned with ("both are twinned with
  Gentofte"), from the municipalities' registers and the reported pairs.

Never candidates: the seeker itself, its present partners, and places in the seeker's
own country unless it asks for that country. A place without a profile is a candidate
only through a chain: it has no themes or size to compare, and a country alone would
list every town in it. A similar size alone makes no match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

THEME = 3
COUNTRY = 4
MUTUAL = 2
SIZE = 3
CHAIN = 2
SIMILAR_SIZE = 0.5  # the smaller at least half the larger: named as "similar size"
NAMED_CHAINS = 3  # at most this many chain places named in the explanation
LIMIT = 20


@dataclass(frozen=True)
class Party:
    """A seeker or a candidate, as matching sees it."""

    key: str  # "profile:3" or "place:17": unique among the candidates
    place_id: int
    name_sv: str
    name_en: str
    country: str
    themes: frozenset[str] = frozenset()  # focus area codes
    wanted: frozenset[str] = frozenset()  # country codes wanted
    population: int | None = None
    partners: frozenset[int] = frozenset()  # ids of the places it is twinned with
    is_profile: bool = False

    def name(self, lang: str) -> str:
        return self.name_sv if lang == "sv" else self.name_en


@dataclass(frozen=True)
class Reason:
    kind: str  # theme, country, mutual, size, chain
    points: float
    sv: str
    en: str

    def text(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


@dataclass
class Match:
    candidate: Party
    reasons: list[Reason] = field(default_factory=list)
    chain_places: list[int] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(reason.points for reason in self.reasons), 2)

    def explanation(self, lang: str) -> list[str]:
        return [reason.text(lang) for reason in self.reasons]


def join(items: list[str], lang: str) -> str:
    """['a', 'b', 'c'] -> 'a, b och c' / 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    word = " och " if lang == "sv" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


def number(n: int, lang: str) -> str:
    """95000 -> '95 000' (Swedish, with a no-break space) / '95,000' (English)."""
    text = f"{n:,}"
    return text.replace(",", "\u00a0") if lang == "sv" else text


Labels = Callable[[str, str], str]  # (code, lang) -> a theme's or a country's name
Names = Callable[[int, str], str]  # (place id, lang) -> the place's name


def score(
    seeker: Party,
    candidate: Party,
    *,
    theme_label: Labels,
    country_label: Labels,
    place_name: Names,
) -> Match | None:
    """The candidate's match for the seeker, or None if it is no candidate at all."""
    if candidate.place_id == seeker.place_id or candidate.place_id in seeker.partners:
        return None
    if candidate.country == seeker.country and candidate.country not in seeker.wanted:
        return None
    match = Match(candidate)
    chains = sorted(seeker.partners & candidate.partners)
    if not candidate.is_profile and not chains:
        return None
    shared = sorted(seeker.themes & candidate.themes)
    if shared:
        names = {lang: [theme_label(code, lang) for code in shared] for lang in ("sv", "en")}
        match.reasons.append(
            Reason(
                "theme",
                THEME * len(shared),
                f"Båda vill samarbeta om {join(names['sv'], 'sv')}.",
                f"Both want to work on {join(names['en'], 'en')}.",
            )
        )
    if candidate.country in seeker.wanted:
        match.reasons.append(
            Reason(
                "country",
                COUNTRY,
                f"{candidate.name('sv')} ligger i {country_label(candidate.country, 'sv')}, "
                "ett av de länder som söks.",
                f"{candidate.name('en')} is in {country_label(candidate.country, 'en')}, "
                "one of the countries wanted.",
            )
        )
    if seeker.country in candidate.wanted:
        match.reasons.append(
            Reason(
                "mutual",
                MUTUAL,
                f"{candidate.name('sv')} söker en partner i {country_label(seeker.country, 'sv')}.",
                f"{candidate.name('en')} seeks a partner in {country_label(seeker.country, 'en')}.",
            )
        )
    if seeker.population and candidate.population:
        ratio = min(seeker.population, candidate.population) / max(
            seeker.population, candidate.population
        )
        if ratio >= SIMILAR_SIZE:
            low, high = sorted([seeker.population, candidate.population])
            sizes = {lang: (number(low, lang), number(high, lang)) for lang in ("sv", "en")}
            match.reasons.append(
                Reason(
                    "size",
                    round(SIZE * ratio, 2),
                    "Liknande storlek: {} och {} invånare.".format(*sizes["sv"]),
                    "Similar size: {} and {} inhabitants.".format(*sizes["en"]),
                )
            )
    if chains:
        match.chain_places = chains
        named = {
            lang: sorted(place_name(pid, lang) for pid in chains)[:NAMED_CHAINS]
            for lang in ("sv", "en")
        }
        more = len(chains) - NAMED_CHAINS
        sv, en = join(named["sv"], "sv"), join(named["en"], "en")
        if more > 0:
            sv = f"{', '.join(named['sv'])} och {more} till"
            en = f"{', '.join(named['en'])} and {more} more"
        points = CHAIN * len(chains)
        match.reasons.append(
            Reason("chain", points, f"Båda har vänorter i {sv}.", f"Both are twinned with {en}.")
        )
    if all(reason.kind == "size" for reason in match.reasons):
        return None  # a size alone is no reason to meet
    return match


def rank(
    seeker: Party,
    candidates: Iterable[Party],
    *,
    theme_label: Labels,
    country_label: Labels,
    place_name: Names,
    limit: int = LIMIT,
) -> list[Match]:
    """The best matches first: by score, profiles before places, then by name."""
    matches = []
    seen = set()
    for candidate in candidates:
        if candidate.key in seen:
            continue
        seen.add(candidate.key)
        found = score(
            seeker,
            candidate,
            theme_label=theme_label,
            country_label=country_label,
            place_name=place_name,
        )
        if found is not None:
            matches.append(found)
    matches.sort(key=lambda m: (-m.score, not m.candidate.is_profile, m.candidate.name_en))
    return matches[:limit]
