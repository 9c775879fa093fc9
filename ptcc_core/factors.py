"""Salary factor tables from knowledge/factors/: their models, checks and loading.

Each table names the article section it comes from. The checks here catch the mistakes an
editor could make that would make the estimator contradict the article: tiers out of order,
an education level paying less than the one below it, a premium band upside down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, ValidationError, model_validator

from ptcc_core.loading import (
    ID_PATTERN,
    Problem,
    StrictModel,
    read_toml,
    validation_problems,
)

EducationId = Literal["high_school", "associate", "bachelor"]
EmployerId = Literal["hospital", "private_clinic", "corporate_chain", "specialty_clinic"]
EDUCATION_ORDER: tuple[EducationId, ...] = ("high_school", "associate", "bachelor")
EMPLOYER_IDS: tuple[EmployerId, ...] = (
    "hospital",
    "private_clinic",
    "corporate_chain",
    "specialty_clinic",
)

Aliases = tuple[str, ...]


class _Table(StrictModel):
    section: str = Field(pattern=ID_PATTERN)


class NationalFigures(_Table):
    median: int = Field(gt=0)
    typical_low: int = Field(gt=0)
    typical_high: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.typical_low <= self.median <= self.typical_high:
            raise ValueError("need typical_low <= median <= typical_high")
        return self


class ExperienceTier(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    label: str
    article_years: str
    years_from: float = Field(ge=0)
    top_at_years: float = Field(gt=0)
    low: int = Field(gt=0)
    high: int = Field(gt=0)
    open_ended: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError("low is above high")
        if self.top_at_years <= self.years_from:
            raise ValueError("top_at_years must be after years_from")
        return self


class ExperienceTable(_Table):
    tier: tuple[ExperienceTier, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _rising(self) -> Self:
        if self.tier[0].years_from != 0:
            raise ValueError("the first tier must start at 0 years")
        for before, after in zip(self.tier, self.tier[1:], strict=False):
            if after.years_from <= before.years_from:
                raise ValueError(f"tier {after.id!r} must start after tier {before.id!r}")
            if after.low < before.low or after.high < before.high:
                raise ValueError(f"tier {after.id!r} pays less than tier {before.id!r}")
        return self

    def tier_for(self, years: float) -> ExperienceTier:
        return [t for t in self.tier if t.years_from <= years][-1]


class EducationLevel(StrictModel):
    id: EducationId
    label: str
    low: int = Field(gt=0)
    high: int | None = None
    open_ended: bool = False
    aliases: Aliases = ()

    @model_validator(mode="after")
    def _top(self) -> Self:
        if (self.high is None) != self.open_ended:
            raise ValueError("give either high or open_ended = true")
        if self.high is not None and self.high < self.low:
            raise ValueError("low is above high")
        return self


class EducationTable(_Table):
    later_tier_weight: float = Field(ge=0, le=1)
    level: tuple[EducationLevel, ...]

    @model_validator(mode="after")
    def _complete_and_rising(self) -> Self:
        if tuple(lv.id for lv in self.level) != EDUCATION_ORDER:
            raise ValueError(f"levels must be exactly {list(EDUCATION_ORDER)}, in that order")
        if self.level[0].high is None:
            raise ValueError("the lowest level needs a high figure")
        for before, after in zip(self.level, self.level[1:], strict=False):
            if after.low < before.low:
                raise ValueError(f"{after.id!r} starts below {before.id!r}")
        return self

    def get(self, level: EducationId) -> EducationLevel:
        return next(lv for lv in self.level if lv.id == level)

    def start_range(self, level: EducationId) -> tuple[int, int]:
        """The starting range; an open top is the level below's top, so no level pays less."""
        top = 0
        for lv in self.level:
            top = max(top, lv.high if lv.high is not None else top, lv.low)
            if lv.id == level:
                return lv.low, top
        raise KeyError(level)


class Certification(StrictModel):
    id: str = Field(pattern=r"^[A-Z]{2,10}$")
    name: str
    issuer: str | None = None
    aliases: Aliases = ()


class CertificationTable(_Table):
    premium_low: int = Field(ge=0)
    premium_high: int = Field(ge=0)
    certification: tuple[Certification, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.premium_low > self.premium_high:
            raise ValueError("premium_low is above premium_high")
        return self

    def get(self, cert_id: str) -> Certification | None:
        return next((c for c in self.certification if c.id == cert_id.upper()), None)


class _Band(StrictModel):
    premium_low: float = Field(ge=-0.9, le=2)
    premium_high: float = Field(ge=-0.9, le=2)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.premium_low > self.premium_high:
            raise ValueError("premium_low is above premium_high")
        return self


class Metro(_Band):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    aliases: Aliases = Field(min_length=1)


class SfExample(StrictModel):
    metro: str
    base: int
    low: int
    high: int


class AverageRegion(StrictModel):
    label: str
    examples: tuple[str, ...]
    aliases: Aliases


class LowerRegion(_Band):
    label: str
    aliases: Aliases


class UnnamedPlaces(StrictModel):
    places: tuple[str, ...]


class LocationTable(_Table):
    metro: tuple[Metro, ...] = Field(min_length=1)
    sf_example: SfExample
    average: AverageRegion
    lower: LowerRegion

    unnamed: UnnamedPlaces

    @model_validator(mode="after")
    def _example_names_a_metro(self) -> Self:
        if self.sf_example.metro not in {m.id for m in self.metro}:
            raise ValueError(f"sf_example.metro {self.sf_example.metro!r} is not a metro id")
        if self.lower.premium_high > 0:
            raise ValueError("the lower-paying region cannot pay above average")
        return self


class Employer(StrictModel):
    id: EmployerId
    label: str
    note: str
    aliases: Aliases
    floor_low: int | None = None
    floor_high: int | None = None
    range_low: int | None = None
    range_high: int | None = None
    premium_low: float = 0.0
    premium_high: float = 0.0

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if (self.floor_low is None) != (self.floor_high is None):
            raise ValueError("give both floor_low and floor_high, or neither")
        if (self.floor_low or 0) > (self.floor_high or 0):
            raise ValueError("floor_low is above floor_high")
        if self.premium_low > self.premium_high:
            raise ValueError("premium_low is above premium_high")
        return self


class EmployerTable(_Table):
    employer: tuple[Employer, ...]

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if sorted(e.id for e in self.employer) != sorted(EMPLOYER_IDS):
            raise ValueError(f"employers must be exactly {list(EMPLOYER_IDS)}")
        return self

    def get(self, employer: EmployerId) -> Employer:
        return next(e for e in self.employer if e.id == employer)


class Skill(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    label: str
    aliases: Aliases


class SkillTable(_Table):
    mid_shift_per_skill: float = Field(ge=0, le=0.1)
    max_counted: int = Field(ge=0, le=5)
    skill: tuple[Skill, ...]

    def get(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skill if s.id == skill_id), None)


class SalaryFactors(StrictModel):
    """All the tables the estimator needs."""

    national: NationalFigures
    experience: ExperienceTable
    education: EducationTable
    certifications: CertificationTable
    locations: LocationTable
    employers: EmployerTable
    skills: SkillTable


_TABLES: dict[str, type[_Table]] = {
    "national": NationalFigures,
    "experience": ExperienceTable,
    "education": EducationTable,
    "certifications": CertificationTable,
    "locations": LocationTable,
    "employers": EmployerTable,
    "skills": SkillTable,
}


def load_factors(
    root: Path, section_ids: set[str], problems: list[Problem]
) -> SalaryFactors | None:
    """Load every table in root/factors; append problems and return None if any is wrong."""
    tables: dict[str, _Table] = {}
    for name, model in _TABLES.items():
        file = f"factors/{name}.toml"
        path = root / file
        if not path.is_file():
            problems.append(Problem(file, None, None, "file is missing"))
            continue
        data = read_toml(path, root, problems)
        if data is None:
            continue
        try:
            table = model.model_validate(data)
        except ValidationError as exc:
            problems += validation_problems(exc, file, None)
            continue
        if section_ids and table.section not in section_ids:
            problems.append(Problem(file, None, "section", f"unknown section {table.section!r}"))
        tables[name] = table
    if len(tables) != len(_TABLES):
        return None
    return SalaryFactors.model_validate(tables)
