"""Where a user works -> which of the article's location bands applies.

The article names four premium metros, three average cities, and lower-paying rural and
lower-cost regions. A place it does not name is not an error: it takes the national average,
and the estimate says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ptcc_core.factors import LocationTable
from ptcc_core.text import find_phrases, normalize, phrase_table

PlaceKind = Literal["metro", "lower", "average", "unnamed"]
_LOWER_SUFFIX = "lower-cost area"
_PRIORITY: dict[str, int] = {"metro": 0, "lower": 1, "average": 2, "unnamed": 3}


class Place(BaseModel):
    """A resolved location and the premium band the article gives it."""

    model_config = ConfigDict(frozen=True)

    kind: PlaceKind
    name: str
    premium_low: float = 0.0
    premium_high: float = 0.0
    metro_id: str | None = None


class PlaceResolver:
    """Finds places in text using the location table's aliases and known place names."""

    def __init__(self, table: LocationTable) -> None:
        self._table = table
        pairs: list[tuple[str, str]] = []
        for metro in table.metro:
            pairs += [(alias, f"metro:{metro.id}") for alias in (metro.name, *metro.aliases)]
        pairs += [(alias, "lower:") for alias in (*table.lower.aliases, _LOWER_SUFFIX)]
        pairs += [(alias, f"average:{alias}") for alias in table.average.aliases]
        pairs += [(place, f"unnamed:{place}") for place in table.unnamed.places]
        self._phrases = phrase_table(pairs)

    def find(self, text: str) -> Place | None:
        """The most telling place named in text, or None when it names none we know."""
        return self.find_normalized(normalize(text))

    def find_normalized(self, normalized: str) -> Place | None:
        """Like find, for text already normalised."""
        found = [value.split(":", 1) for _, value in find_phrases(normalized, self._phrases)]
        if not found:
            return None
        kind, key = min(found, key=lambda pair: _PRIORITY[pair[0]])
        place = self._place(kind, key)
        named = [k for other, k in found if other == "unnamed"]
        if kind == "lower" and named:
            # Keep the user's place in the name: "rural Kentucky" -> "Kentucky, lower-cost area".
            place = place.model_copy(update={"name": f"{named[0].title()}, {_LOWER_SUFFIX}"})
        return place

    def resolve(self, text: str) -> Place:
        """Like find, but any text resolves: an unknown place takes the national average."""
        return self.find(text) or Place(kind="unnamed", name=text.strip())

    def _place(self, kind: str, key: str) -> Place:
        table = self._table
        if kind == "metro":
            metro = next(m for m in table.metro if m.id == key)
            return Place(
                kind="metro",
                name=metro.name,
                premium_low=metro.premium_low,
                premium_high=metro.premium_high,
                metro_id=metro.id,
            )
        if kind == "lower":
            return Place(
                kind="lower",
                name=table.lower.label,
                premium_low=table.lower.premium_low,
                premium_high=table.lower.premium_high,
            )
        if kind == "average":
            return Place(kind="average", name=key.title())
        return Place(kind="unnamed", name=key.title())
