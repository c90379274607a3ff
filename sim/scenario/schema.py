"""The scenario schema: typed pydantic models of a scenario file, and its JSON Schema.

A scenario names its start month, horizon, seed and members; it may ``extends:`` another
scenario and override only what differs. It holds world parameters, actor parameters and
interest weights, initial values and relations, dated events, scripted choices, levers
(policy choices a user moves) and uncertainties (outside factors, sampled per member).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

_YM = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: Any) -> tuple[int, int]:
    """``"2024-06"`` (or a date) -> (2024, 6); ValueError otherwise."""
    if isinstance(value, date):
        return value.year, value.month
    m = _YM.match(str(value).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    return int(m.group(1)), int(m.group(2))


def month_label(year: int, month: int, offset: int = 0) -> str:
    """The label ``YYYY-MM`` of ``offset`` months after (year, month)."""
    k = year * 12 + (month - 1) + offset
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def month_str(value: Any) -> str:
    """A month in any accepted form -> ``YYYY-MM``; ValueError otherwise."""
    y, m = parse_month(value)
    return f"{y:04d}-{m:02d}"


Month = Annotated[str, Field(description="A month, YYYY-MM", examples=["2024-06"])]


def _not_a_boolean(value: Any) -> Any:
    """Refuse a boolean where a number belongs (pydantic would take ``true`` as 1.0)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()} (a boolean)")
    return value


Number = Annotated[float, BeforeValidator(_not_a_boolean)]
"""A number in a scenario: an int or a float (``months: 12``, ``value: 650000``), not a boolean."""

NAME_CHARS = "a-z0-9_-"
"""The characters of a scenario's name (it names the output folder ``runs/NAME``)."""
NAME_MAX = 64
"""The longest scenario name."""
NAME_PATTERN = f"^[{NAME_CHARS}]{{1,{NAME_MAX}}}$"
"""What a scenario's ``name`` must match (checked by the loader, see ``sim.scenario.checks``)."""


class Strict(BaseModel):
    """A model that refuses unknown fields and non-finite numbers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class ActorSpec(Strict):
    """An actor's parameters: how unpredictable it is and how it weighs its interests."""

    unpredictability: Number | None = Field(None, ge=0, le=1, description="Scale of the Gumbel noise on scores.")
    weights: dict[str, Annotated[Number, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="Interest name -> weight (non-negative).")


class Event(Strict):
    """A dated event: at the start of ``month``, set or shift variables or parameters."""

    month: Month
    label: str = ""
    set: dict[str, Number] = Field(default_factory=dict, description="Path -> new value.")
    shift: dict[str, Number] = Field(default_factory=dict, description="Path -> change.")
    claims: list[str] = Field(default_factory=list)

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v):
        return month_str(v)


class Scripted(Strict):
    """A scripted choice: ``actor`` takes ``option`` in the given months (all members)."""

    actor: str
    option: str
    months: list[Month] | None = None
    from_: Month | None = Field(None, alias="from")
    to: Month | None = None
    note: str = ""
    claims: list[str] = Field(default_factory=list)

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, v):
        if v is None:
            return None
        if not isinstance(v, list):
            raise ValueError(f"expected a list of months [YYYY-MM, ...], got {v!r}")
        return [month_str(x) for x in v]

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _one(cls, v):
        return None if v is None else month_str(v)

    @model_validator(mode="after")
    def _span(self):
        if self.months is None and (self.from_ is None or self.to is None):
            raise ValueError("give either 'months: [YYYY-MM, ...]' or both 'from' and 'to'")
        if self.months is not None and (self.from_ is not None or self.to is not None):
            raise ValueError("give 'months' or 'from'/'to', not both")
        return self


class Lever(Strict):
    """A policy choice a user moves: a parameter path, a range and a label (a slider)."""

    path: str
    label: str
    min: Number
    max: Number
    step: Number | None = Field(None, gt=0)
    value: Number | None = Field(None, description="Default position; the scenario's value if omitted.")
    description: str = ""
    claims: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _range(self):
        if not self.min < self.max:
            raise ValueError(f"'min' ({self.min:g}) must be below 'max' ({self.max:g})")
        if self.value is not None and not self.min <= self.value <= self.max:
            raise ValueError(f"'value' {self.value:g} lies outside [{self.min:g}, {self.max:g}]")
        return self


class Uncertainty(Strict):
    """An outside factor nobody controls: a distribution sampled once per member."""

    path: str
    dist: Literal["uniform", "normal", "triangular", "choice"]
    low: Number | None = None
    high: Number | None = None
    mean: Number | None = None
    sd: Number | None = Field(None, ge=0)
    mode: Number | None = None
    values: list[Number] | None = None
    label: str = ""
    claims: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self):
        need = {"uniform": ("low", "high"), "normal": ("mean", "sd"), "triangular": ("low", "mode", "high"),
                "choice": ("values",)}[self.dist]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(repr(k) for k in need)}; "
                             f"missing {', '.join(repr(k) for k in missing)}")
        if self.dist in ("uniform", "triangular") and not self.low < self.high:
            raise ValueError(f"'low' ({self.low:g}) must be below 'high' ({self.high:g})")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("'mode' must lie between 'low' and 'high'")
        if self.dist == "choice" and not self.values:
            raise ValueError("'values' must list at least one value")
        return self

    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution gives (normal: mean +- 4 sd)."""
        if self.dist == "choice":
            return min(self.values), max(self.values)
        if self.dist == "normal":
            return self.mean - 4 * self.sd, self.mean + 4 * self.sd
        return self.low, self.high


class Expectation(Strict):
    """A statement about the run that should hold in at least ``share`` of the members.

    Tests (``test``):

    * ``below`` / ``above``: ``indicator`` compared with ``value`` at month ``at`` (default the
      horizon), or at any month up to ``by`` ("falls below 0.2 by 2025-06"), or on average
      over ``from`` to ``to``.
    * ``declines`` / ``rises``: ``indicator`` at ``to`` (default the horizon) compared with
      ``from`` (default the start).
    * ``lower_than`` / ``higher_than``: ``indicator`` at ``at`` (default the horizon), or its
      average over ``from`` to ``to``, compared member by member under common random numbers
      with the same member of scenario ``than``.
    * ``mostly`` / ``rarely``: the share of months from ``from`` to ``to`` in which ``actor``
      made the move ``option`` is at least / at most ``value`` (default 0.5); a month between
      the actor's reviews counts as ``keep``.
    """

    says: str = Field(..., description="The statement, in words.")
    test: Literal["below", "above", "declines", "rises", "lower_than", "higher_than", "mostly", "rarely"]
    indicator: str | None = None
    actor: str | None = None
    option: str | None = None
    value: Number | None = None
    at: Month | None = None
    by: Month | None = None
    from_: Month | None = Field(None, alias="from")
    to: Month | None = None
    than: str | None = Field(None, description="Scenario to compare with (name or path).")
    share: Number = Field(0.8, gt=0, le=1, description="Share of members in which it must hold.")
    claims: list[str] = Field(default_factory=list)
    expected_to_fail: bool = False
    why: str = Field("", description="Why the model disagrees (required with expected_to_fail).")

    @field_validator("at", "by", "from_", "to", mode="before")
    @classmethod
    def _months(cls, v):
        return None if v is None else month_str(v)

    @model_validator(mode="after")
    def _fields(self):
        t = self.test
        need = {"below": ["indicator", "value"], "above": ["indicator", "value"], "declines": ["indicator"],
                "rises": ["indicator"], "lower_than": ["indicator", "than"], "higher_than": ["indicator", "than"],
                "mostly": ["actor", "option"], "rarely": ["actor", "option"]}[t]
        missing = [k for k in need if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a '{t}' expectation needs {', '.join(repr(k) for k in missing)}")
        if sum(x is not None for x in (self.at, self.by)) + (self.from_ is not None or self.to is not None) > 1 \
                and t not in ("mostly", "rarely", "declines", "rises"):
            raise ValueError("give one of 'at', 'by', or a 'from'/'to' window")
        if self.by is not None and t not in ("below", "above"):
            raise ValueError("'by' is for 'below' and 'above' tests")
        if t in ("mostly", "rarely") and self.value is not None and not 0 <= self.value <= 1:
            raise ValueError(f"'value' is a share of months, between 0 and 1, got {self.value:g}")
        if self.expected_to_fail and not self.why.strip():
            raise ValueError("an expectation marked expected_to_fail must say 'why' the model disagrees")
        return self


class Scenario(Strict):
    """A what-if: everything a run needs besides the seed and the members."""

    name: str = Field("scenario", description="Short name: 1 to 64 of a-z, 0-9, '_' and '-' (it names the output "
                      "folder runs/NAME); the file's stem, lower-cased with other characters as '_', by default.",
                      json_schema_extra={"pattern": NAME_PATTERN})
    title: str = ""
    description: str = ""
    extends: str | None = Field(None, description="Name or path of the scenario this one changes.")
    start: Month = Field("2024-06", description="First month, YYYY-MM.")
    months: int = Field(36, ge=1, le=240, strict=True, description="Horizon in months.")
    seed: int = Field(42, ge=0, lt=2**63, strict=True, description="Default seed.")
    members: int = Field(100, ge=1, le=10_000_000, strict=True, description="Default ensemble size.")
    params: dict[str, Number] = Field(default_factory=dict, description="World parameter -> value.")
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    initial: dict[str, Number] = Field(default_factory=dict, description="Indicator -> value at the start.")
    relations: dict[str, Number] = Field(default_factory=dict, description="Pair A-B -> alignment at the start.")
    events: list[Event] = Field(default_factory=list)
    scripted: list[Scripted] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)
    uncertainties: list[Uncertainty] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list)
    source: str | None = Field(None, exclude=True, description="The file it was loaded from (set by the loader).")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v):
        return month_str(v)

    # -- derived -----------------------------------------------------------------------------
    @property
    def start_ym(self) -> tuple[int, int]:
        """The start month as (year, month)."""
        return parse_month(self.start)

    def month_index(self, month: str) -> int:
        """Index of a ``YYYY-MM`` month counted from the start (0 for the start month)."""
        y, m = parse_month(month)
        y0, m0 = self.start_ym
        return (y * 12 + m - 1) - (y0 * 12 + m0 - 1)

    def dates(self) -> list[str]:
        """Labels of months 0..months (the state at the start of each month, and the end)."""
        y0, m0 = self.start_ym
        return [month_label(y0, m0, k) for k in range(self.months + 1)]

    def to_dict(self) -> dict:
        """The scenario as plain data (aliases, no defaults dropped): what the manifest stores."""
        return self.model_dump(mode="json", by_alias=True)

    def to_yaml(self) -> str:
        """The resolved scenario as YAML (``extends`` already applied)."""
        data = self.to_dict()
        data["extends"] = None
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)

    def content_hash(self) -> str:
        """SHA-256 of the resolved scenario's canonical JSON."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def json_schema() -> dict:
    """The JSON Schema of a scenario file, for editors."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Peninsula scenario"
    return schema
