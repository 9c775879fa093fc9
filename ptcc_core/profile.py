"""A user's profile: the facts about them that move a salary estimate."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ptcc_core.factors import EducationId, EmployerId

MAX_YEARS = 50
MAX_LOCATION = 100


class Profile(BaseModel):
    """What we know about a user; every field may be unknown (None or empty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    years: float | None = Field(default=None, ge=0, le=MAX_YEARS)
    education: EducationId | None = None
    certifications: tuple[str, ...] = ()
    location: str | None = Field(default=None, max_length=MAX_LOCATION)
    employer: EmployerId | None = None
    skills: tuple[str, ...] = ()

    @field_validator("certifications")
    @classmethod
    def _upper_unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({v.strip().upper() for v in values if v.strip()}))

    @field_validator("skills")
    @classmethod
    def _unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({v.strip() for v in values if v.strip()}))

    @field_validator("location")
    @classmethod
    def _blank_is_unknown(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    def merged_with(self, newer: Profile) -> Profile:
        """This profile updated with every field that `newer` sets."""
        changes = {name: getattr(newer, name) for name in newer.model_fields_set}
        return self.model_copy(update=changes)

    def is_empty(self) -> bool:
        return self == Profile()
