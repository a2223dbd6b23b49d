"""The outside-data importers' report; the refusals themselves are register.importing's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from register.importing import ImportRefused, Refusal

__all__ = ["ImportRefused", "Refusal", "Report"]


@dataclass
class Report:
    file: str
    rows: int = 0
    places_new: int = 0
    places_matched: int = 0
    pairs_new: int = 0
    pairs_existing: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def refuse(self, line: int, category: str, reason: str) -> None:
        self.refused.append(Refusal(line, reason, category))

    def refused_by_category(self) -> Counter:
        return Counter(refusal.category for refusal in self.refused)

    def summary(self) -> list[str]:
        lines = [
            f"{self.file}: {self.rows} rows read",
            f"places: {self.places_new + self.places_matched} "
            f"({self.places_new} new, {self.places_matched} already in the register)",
            f"pairs: {self.pairs_new + self.pairs_existing} "
            f"({self.pairs_new} new, {self.pairs_existing} already imported)",
            f"rows refused: {len(self.refused)}",
        ]
        for category, count in sorted(self.refused_by_category().items()):
            lines.append(f"  {category}: {count}")
        return lines
