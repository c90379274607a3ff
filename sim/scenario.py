"""Scenario files: YAML read with a safe loader into a typed pydantic schema.

A scenario names its start month, horizon, seed and members; it may ``extends:`` another
scenario and override only what differs. It holds world parameters, actor parameters and
interest weights, initial values and relations, dated events, scripted choices, levers
(policy choices a user moves) and uncertainties (outside factors, sampled per member).

Every mistake is reported as a :class:`~sim.errors.ScenarioError` naming the file, the
line, the field path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.actors import ACTOR_CLASSES
from sim.errors import ScenarioError
from sim.indicators import ACTORS, INDICATORS, canonical_indicator, canonical_relation
from sim.params import PARAMS

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
"""The bundled scenarios (a checkout's ``scenarios/`` folder)."""

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


def _month_str(value: Any) -> str:
    y, m = parse_month(value)
    return f"{y:04d}-{m:02d}"


Month = Annotated[str, Field(description="A month, YYYY-MM", examples=["2024-06"])]
Number = float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class ActorSpec(_Strict):
    """An actor's parameters: how unpredictable it is and how it weighs its interests."""

    unpredictability: float | None = Field(None, ge=0, le=1, description="Scale of the Gumbel noise on scores.")
    weights: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="Interest name -> weight (non-negative).")


class Event(_Strict):
    """A dated event: at the start of ``month``, set or shift variables or parameters."""

    month: Month
    label: str = ""
    set: dict[str, float] = Field(default_factory=dict, description="Path -> new value.")
    shift: dict[str, float] = Field(default_factory=dict, description="Path -> change.")
    claims: list[str] = Field(default_factory=list)

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v):
        return _month_str(v)


class Scripted(_Strict):
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
        return [_month_str(x) for x in v]

    @field_validator("from_", "to", mode="before")
    @classmethod
    def _one(cls, v):
        return None if v is None else _month_str(v)

    @model_validator(mode="after")
    def _span(self):
        if self.months is None and (self.from_ is None or self.to is None):
            raise ValueError("give either 'months: [YYYY-MM, ...]' or both 'from' and 'to'")
        if self.months is not None and (self.from_ is not None or self.to is not None):
            raise ValueError("give 'months' or 'from'/'to', not both")
        return self


class Lever(_Strict):
    """A policy choice a user moves: a parameter path, a range and a label (a slider)."""

    path: str
    label: str
    min: float
    max: float
    step: float | None = Field(None, gt=0)
    value: float | None = Field(None, description="Default position; the scenario's value if omitted.")
    description: str = ""
    claims: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _range(self):
        if not self.min < self.max:
            raise ValueError(f"'min' ({self.min:g}) must be below 'max' ({self.max:g})")
        if self.value is not None and not self.min <= self.value <= self.max:
            raise ValueError(f"'value' {self.value:g} lies outside [{self.min:g}, {self.max:g}]")
        return self


class Uncertainty(_Strict):
    """An outside factor nobody controls: a distribution sampled once per member."""

    path: str
    dist: Literal["uniform", "normal", "triangular", "choice"]
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, ge=0)
    mode: float | None = None
    values: list[float] | None = None
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


class Expectation(_Strict):
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
      chose ``option`` is at least / at most ``value`` (default 0.5).
    """

    says: str = Field(..., description="The statement, in words.")
    test: Literal["below", "above", "declines", "rises", "lower_than", "higher_than", "mostly", "rarely"]
    indicator: str | None = None
    actor: str | None = None
    option: str | None = None
    value: float | None = None
    at: Month | None = None
    by: Month | None = None
    from_: Month | None = Field(None, alias="from")
    to: Month | None = None
    than: str | None = Field(None, description="Scenario to compare with (name or path).")
    share: float = Field(0.8, gt=0, le=1, description="Share of members in which it must hold.")
    claims: list[str] = Field(default_factory=list)
    expected_to_fail: bool = False
    why: str = Field("", description="Why the model disagrees (required with expected_to_fail).")

    @field_validator("at", "by", "from_", "to", mode="before")
    @classmethod
    def _months(cls, v):
        return None if v is None else _month_str(v)

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


class Scenario(_Strict):
    """A what-if: everything a run needs besides the seed and the members."""

    name: str = Field("scenario", description="Short name (file name without .yaml by default).")
    title: str = ""
    description: str = ""
    extends: str | None = Field(None, description="Name or path of the scenario this one changes.")
    start: Month = Field("2024-06", description="First month, YYYY-MM.")
    months: int = Field(36, ge=1, le=240, strict=True, description="Horizon in months.")
    seed: int = Field(42, ge=0, lt=2**63, strict=True, description="Default seed.")
    members: int = Field(100, ge=1, le=10_000_000, strict=True, description="Default ensemble size.")
    params: dict[str, float] = Field(default_factory=dict, description="World parameter -> value.")
    actors: dict[str, ActorSpec] = Field(default_factory=dict)
    initial: dict[str, float] = Field(default_factory=dict, description="Indicator -> value at the start.")
    relations: dict[str, float] = Field(default_factory=dict, description="Pair A-B -> alignment at the start.")
    events: list[Event] = Field(default_factory=list)
    scripted: list[Scripted] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)
    uncertainties: list[Uncertainty] = Field(default_factory=list)
    expectations: list[Expectation] = Field(default_factory=list)
    source: str | None = Field(None, exclude=True, description="The file it was loaded from (set by the loader).")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v):
        return _month_str(v)

    # -- derived -----------------------------------------------------------------------------
    @property
    def start_ym(self) -> tuple[int, int]:
        return parse_month(self.start)

    def month_index(self, month: str) -> int:
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


# --------------------------------------------------------------------------------------------
# Parameter paths


def parameter_paths() -> list[str]:
    """Every path a lever, uncertainty, event or ``--set`` may name (besides indicators for events)."""
    paths = [f"params.{n}" for n in PARAMS]
    for code, cls in ACTOR_CLASSES.items():
        paths.append(f"{code}.unpredictability")
        paths += [f"{code}.weights.{i.name}" for i in cls.interests]
    paths += [f"initial.{n}" for n in INDICATORS]
    return paths


def check_path(path: str, *, allow_indicator: bool = False) -> tuple[str, str]:
    """Classify a path: ('param', NAME) | ('unpredictability', ACTOR) | ('weight', 'ACTOR.INTEREST')
    | ('initial', INDICATOR) | ('indicator', INDICATOR). ValueError with the valid forms otherwise."""
    parts = path.split(".")
    if parts[0] == "params" and len(parts) == 2:
        if parts[1] in PARAMS:
            return "param", parts[1]
        raise ValueError(f"unknown world parameter {parts[1]!r}; known: {', '.join(PARAMS)}")
    if parts[0] == "initial":
        ind = canonical_indicator(".".join(parts[1:]))
        if ind:
            return "initial", ind
        raise ValueError(f"unknown indicator {'.'.join(parts[1:])!r} (see 'peninsula indicators')")
    if parts[0] in ACTOR_CLASSES and len(parts) >= 2 and parts[1] in ("unpredictability", "weights"):
        cls = ACTOR_CLASSES[parts[0]]
        if parts[1] == "unpredictability" and len(parts) == 2:
            return "unpredictability", parts[0]
        if parts[1] == "weights" and len(parts) == 3:
            if parts[2] in cls.interest_names():
                return "weight", f"{parts[0]}.{parts[2]}"
            raise ValueError(f"{parts[0]} has no interest {parts[2]!r}; its interests: "
                             f"{', '.join(cls.interest_names())}")
    if allow_indicator:
        ind = canonical_indicator(path)
        if ind:
            return "indicator", ind
    forms = "params.NAME, ACTOR.unpredictability, ACTOR.weights.INTEREST, initial.INDICATOR"
    if allow_indicator:
        forms += " or an indicator (ACTOR.name, world.name, relations.A-B)"
    raise ValueError(f"unknown path {path!r}; expected {forms}")


def path_range(path: str) -> tuple[float | None, float | None]:
    """The valid range of the value at a path."""
    kind, name = check_path(path, allow_indicator=True)
    if kind == "param":
        return PARAMS[name].low, PARAMS[name].high
    if kind == "unpredictability":
        return 0.0, 1.0
    if kind == "weight":
        return 0.0, 100.0
    ind = INDICATORS[name]
    return ind.low, ind.high


def _in_range(value: float, lo, hi) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _range_text(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"between {lo:g} and {hi:g}"
    if lo is not None:
        return f"at least {lo:g}"
    return f"at most {hi:g}"


# --------------------------------------------------------------------------------------------
# Loading


class _Source:
    """A parsed YAML file: its data, and the line of every field path."""

    def __init__(self, data: Any, lines: dict[tuple, int], file: str) -> None:
        self.data = data
        self.lines = lines
        self.file = file


def _walk_lines(node, path: tuple, lines: dict, counter: list[int], file: str) -> None:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ScenarioError(f"the document has more than {MAX_NODES:,} values (too large or recursive "
                            f"aliases); a scenario is a small file", file=file)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            lines[path + (k,)] = key.start_mark.line + 1
            _walk_lines(value, path + (k,), lines, counter, file)
            lines[path + (k,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk_lines(value, path + (i,), lines, counter, file)


def _parse_text(text: str, file: str) -> _Source:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(f"this is not valid YAML: {exc.problem or exc}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ScenarioError(f"this is not valid YAML: the character {exc.character!r} is not allowed in a YAML "
                            "file (control characters are not text)", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"this is not valid YAML: {exc}", file=file) from None
    if node is None:
        raise ScenarioError("the file is empty; a scenario is a YAML mapping (name:, start:, months:, ...)",
                            file=file)
    lines: dict[tuple, int] = {}
    _walk_lines(node, (), lines, [0], file)
    loader = yaml.SafeLoader(text)
    try:
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = exc.problem or ""
        raise ScenarioError(
            f"YAML tags that construct objects are not allowed ({tag.strip()}); a scenario is plain data: "
            "mappings, lists, strings and numbers", file=file, line=line) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a YAML mapping of fields, not a {type(data).__name__}",
                            file=file, line=1)
    return _Source(data, lines, file)


def _read_file(path: Path) -> _Source:
    shown = str(path)
    if not path.exists():
        raise ScenarioError("no such file", file=shown)
    if path.is_dir():
        raise ScenarioError("this is a folder; expected a scenario .yaml file", file=shown)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is {size:,} bytes; a scenario may be at most {MAX_FILE_BYTES:,}",
                            file=shown)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=shown) from None
    return _parse_text(text, shown)


_CONCAT = ("events", "scripted")
_OWN = ("expectations", "title", "description", "name")
"""Not inherited: a scenario's expectations and words are about that scenario only."""
_BY_PATH = ("levers", "uncertainties")


def _merge(parent: dict, child: dict, plines: dict, clines: dict, pfile: str, cfile: str):
    """Child over parent. Returns (data, origins: path -> (file, line))."""
    origins: dict[tuple, tuple[str, int]] = {}

    def tag(lines, file, prefix_src, prefix_dst):
        n = len(prefix_src)
        for p, ln in lines.items():
            if p[:n] == prefix_src:
                origins[prefix_dst + p[n:]] = (file, ln)

    out: dict = {}
    for key in list(parent) + [k for k in child if k not in parent]:
        if key == "extends" or (key in _OWN and key not in child):
            continue
        if key not in child and not (key in _BY_PATH and any(g in child for g in _BY_PATH)):
            out[key] = parent[key]
            tag(plines, pfile, (key,), (key,))
        elif key not in parent:
            out[key] = child[key]
            tag(clines, cfile, (key,), (key,))
        elif key in _CONCAT and isinstance(parent[key], list) and isinstance(child[key], list):
            out[key] = parent[key] + child[key]
            tag(plines, pfile, (key,), (key,))
            for i in range(len(child[key])):
                tag(clines, cfile, (key, i), (key, len(parent[key]) + i))
        elif key in _BY_PATH and (isinstance(parent[key], list) and isinstance(child.get(key, []), list)):
            # A child's lever or uncertainty replaces the parent's one on the same path, even
            # across the two groups (a child may turn an uncertainty into a lever).
            merged, src = [], []
            cpaths = {c.get("path") for g in _BY_PATH for c in (child.get(g) or []) if isinstance(c, dict)}
            for i, item in enumerate(parent[key]):
                if isinstance(item, dict) and item.get("path") in cpaths:
                    continue
                merged.append(item)
                src.append((plines, pfile, (key, i)))
            for i, item in enumerate(child.get(key) or []):
                merged.append(item)
                src.append((clines, cfile, (key, i)))
            out[key] = merged
            for j, (lines, file, p) in enumerate(src):
                tag(lines, file, p, (key, j))
        elif isinstance(parent[key], dict) and isinstance(child[key], dict):
            sub, sub_orig = _merge(parent[key], child[key],
                                   {p[1:]: v for p, v in plines.items() if p[:1] == (key,)},
                                   {p[1:]: v for p, v in clines.items() if p[:1] == (key,)}, pfile, cfile)
            out[key] = sub
            for p, v in sub_orig.items():
                origins[(key,) + p] = v
        else:
            out[key] = child[key]
            tag(clines, cfile, (key,), (key,))
    return out, origins


def _resolve_parent(ref: str, here: Path | None, file: str, line: int | None, field: str = "extends") -> Path:
    """Find the scenario file that a name or path refers to (``extends``, ``than``)."""
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError("expected the name or path of another scenario", file=file, line=line, field=field)
    if "\0" in ref or len(ref) > 255 or not ref.isprintable():
        raise ScenarioError(f"expected the name or path of another scenario, got {ref[:60]!r}", file=file,
                            line=line, field=field)
    cand: list[Path] = []
    name = ref if ref.endswith((".yaml", ".yml")) else f"{ref}.yaml"
    try:
        if here is not None:
            cand.append((here / name).resolve())
        cand.append((SCENARIO_DIR / name).resolve())
        for c in cand:
            if c.is_file():
                return c
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot use {ref[:60]!r} as a scenario name or path ({exc.strerror or exc})",
                            file=file, line=line, field=field) from None
    looked = " or ".join(str(c) for c in dict.fromkeys(cand))
    raise ScenarioError(f"names scenario {ref!r}, but no such scenario was found (looked for {looked})",
                        file=file, line=line, field=field)


def _load_chain(src: _Source, here: Path | None, stack: list[str]):
    """Apply ``extends`` recursively. Returns (data, origins)."""
    origins = {p: (src.file, ln) for p, ln in src.lines.items()}
    ref = src.data.get("extends")
    if ref is None:
        return dict(src.data), origins
    parent_path = _resolve_parent(ref, here, src.file, src.lines.get(("extends",)))
    key = str(parent_path)
    if key in stack:
        chain = " -> ".join(Path(s).name for s in stack + [key])
        raise ScenarioError(f"circular extends: {chain}", file=src.file, line=src.lines.get(("extends",)),
                            field="extends")
    parent = _read_file(parent_path)
    pdata, porig = _load_chain(parent, parent_path.parent, stack + [key])
    data, orig = _merge(pdata, src.data, {p: ln for p, (f, ln) in porig.items()}, src.lines,
                        "", src.file)
    # _merge tagged parent origins with an empty file name: restore the real ones.
    fixed = {p: (porig[p] if f == "" and p in porig else (f, ln)) for p, (f, ln) in orig.items()}
    fixed[()] = (src.file, 1)
    return data, fixed


def _fmt_loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text.isprintable() or len(text) > 80:
                text = repr(text[:80])
            out += ("." if out else "") + text
    return out


def _where(origins: dict, loc: tuple, default_file: str) -> tuple[str, int | None]:
    for n in range(len(loc), -1, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    return default_file, None


def _describe_pydantic(err: dict) -> str:
    typ, msg, inp = err["type"], err["msg"], err.get("input")
    shown = repr(inp) if not isinstance(inp, dict | list) else type(inp).__name__
    if typ == "extra_forbidden":
        return "unknown field (check the spelling; 'peninsula schema' lists the fields)"
    if typ == "missing":
        return "this field is required"
    if typ in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {shown}"
    if typ.startswith("float") and ("parsing" in typ or "type" in typ):
        return f"expected a number, got {shown}"
    if typ == "finite_number":
        return f"expected a finite number, got {shown}"
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{msg.lower()}, got {shown}"
    if typ == "literal_error":
        return f"{msg.lower()}, got {shown}"
    if typ == "value_error":
        return msg.removeprefix("Value error, ")
    return f"{msg.lower()}, got {shown}" if inp is not None else msg.lower()


def _validate(data: dict, origins: dict, file: str, source: str | None = None) -> Scenario:
    try:
        sc = Scenario.model_validate(data)
        sc.source = source
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple("from" if p == "from_" else p for p in err["loc"])
        efile, line = _where(origins, loc, file)
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise ScenarioError(_describe_pydantic(err) + more, file=efile, line=line, field=_fmt_loc(loc)) from None
    _check_semantics(sc, origins, file)
    return sc


def _fail(msg: str, loc: tuple, origins: dict, file: str):
    efile, line = _where(origins, loc, file)
    raise ScenarioError(msg, file=efile, line=line, field=_fmt_loc(loc))


def _check_semantics(sc: Scenario, origins: dict, file: str) -> None:
    def fail(msg, *loc):
        _fail(msg, loc, origins, file)

    for name, value in sc.params.items():
        if name not in PARAMS:
            fail(f"unknown world parameter; known: {', '.join(PARAMS)}", "params", name)
        p = PARAMS[name]
        if not _in_range(value, p.low, p.high):
            fail(f"expected a value {_range_text(p.low, p.high)} ({p.unit}), got {value:g}", "params", name)
    for code, spec in sc.actors.items():
        if code not in ACTOR_CLASSES:
            fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "actors", code)
        names = ACTOR_CLASSES[code].interest_names()
        for w in spec.weights:
            if w not in names:
                fail(f"{code} has no interest {w!r}; its interests: {', '.join(names)}",
                     "actors", code, "weights", w)
    for key, value in sc.initial.items():
        ind = canonical_indicator(key)
        if ind is None:
            fail("unknown indicator (see 'peninsula indicators')", "initial", key)
        lo, hi = INDICATORS[ind].low, INDICATORS[ind].high
        if not _in_range(value, lo, hi):
            fail(f"expected a value {_range_text(lo, hi)}, got {value:g}", "initial", key)
    for key, value in sc.relations.items():
        if canonical_relation(key) is None:
            fail(f"expected a pair of actors A-B from {', '.join(ACTORS)}", "relations", key)
        if not -1 <= value <= 1:
            fail(f"expected an alignment between -1 and 1, got {value:g}", "relations", key)

    last = sc.months - 1

    def month_ok(m: str, *loc):
        k = sc.month_index(m)
        if not 0 <= k <= last:
            fail(f"month {m} lies outside the run ({sc.dates()[0]} to {sc.dates()[last]})", *loc)

    for i, ev in enumerate(sc.events):
        month_ok(ev.month, "events", i, "month")
        check_changes(ev, ("events", i), "an event", fail)
    # A parameter that events set and shift must stay in its range at every step.
    values: dict[str, float] = {}
    for i, ev in sorted(enumerate(sc.events), key=lambda item: sc.month_index(item[1].month)):
        for kind in ("set", "shift"):
            for path, value in getattr(ev, kind).items():
                what, _ = check_path(path, allow_indicator=True)
                if what == "indicator":
                    continue
                lo, hi = path_range(path)
                new = value if kind == "set" else values.get(path, scenario_value(sc, path)) + value
                if not _in_range(new, lo, hi):
                    fail(f"this {kind} takes {path} to {new:g}, outside its range ({_range_text(lo, hi)})",
                         "events", i, kind, path)
                values[path] = new
    for i, sp in enumerate(sc.scripted):
        if sp.actor not in ACTOR_CLASSES:
            fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "scripted", i, "actor")
        opts = ACTOR_CLASSES[sp.actor].option_names()
        if sp.option not in opts:
            fail(f"{sp.actor} has no option {sp.option!r}; its options: {', '.join(opts)}", "scripted", i, "option")
        if sp.months is not None:
            for j, m in enumerate(sp.months):
                month_ok(m, "scripted", i, "months", j)
        else:
            month_ok(sp.from_, "scripted", i, "from")
            month_ok(sp.to, "scripted", i, "to")
            if sc.month_index(sp.to) < sc.month_index(sp.from_):
                fail("'to' comes before 'from'", "scripted", i, "to")
    for i, ex in enumerate(sc.expectations):
        if ex.indicator is not None and canonical_indicator(ex.indicator) is None:
            fail("unknown indicator (see 'peninsula indicators')", "expectations", i, "indicator")
        if ex.actor is not None:
            if ex.actor not in ACTOR_CLASSES:
                fail(f"unknown actor; the actors are {', '.join(ACTORS)}", "expectations", i, "actor")
            opts = ACTOR_CLASSES[ex.actor].option_names()
            if ex.option not in opts:
                fail(f"{ex.actor} has no option {ex.option!r}; its options: {', '.join(opts)}",
                     "expectations", i, "option")
        for key in ("at", "by", "from_", "to"):
            m = getattr(ex, key)
            if m is not None:
                k = sc.month_index(m)
                top = sc.months if key in ("at", "to", "by") else sc.months - 1
                if not 0 <= k <= top:
                    fail(f"month {m} lies outside the run ({sc.dates()[0]} to {sc.dates()[top]})",
                         "expectations", i, "from" if key == "from_" else key)
        if ex.from_ is not None and ex.to is not None and sc.month_index(ex.to) < sc.month_index(ex.from_):
            fail("'to' comes before 'from'", "expectations", i, "to")
        if ex.than is not None:
            here = Path(sc.source).resolve().parent if sc.source else None
            efile, line = _where(origins, ("expectations", i, "than"), file)
            _resolve_parent(ex.than, here, efile, line, field=f"expectations[{i}].than")

    seen: set[str] = set()
    for group in ("levers", "uncertainties"):
        for i, item in enumerate(getattr(sc, group)):
            try:
                kind, _ = check_path(item.path)
            except ValueError as exc:
                fail(str(exc), group, i, "path")
            if item.path in seen:
                fail("this path is already a lever or an uncertainty; a path can be only one", group, i, "path")
            seen.add(item.path)
            lo, hi = path_range(item.path)
            a, b = (item.min, item.max) if group == "levers" else item.bounds()
            if not (_in_range(a, lo, hi) and _in_range(b, lo, hi)):
                fail(f"the range {a:g} to {b:g} leaves the valid range of {item.path} "
                     f"({_range_text(lo, hi)})", group, i)
            if group == "levers" and item.value is None:
                current = scenario_value(sc, item.path)
                if not item.min <= current <= item.max:
                    fail(f"the scenario's value {current:g} lies outside the lever's range; give 'value'",
                         group, i)


def check_changes(item, loc: tuple, noun: str, fail) -> None:
    """Check the ``set`` and ``shift`` paths of an event or inject: known paths of the running state
    (not ``initial.*``), and values inside their range for ``set``. ``fail(msg, *loc)`` reports."""
    if not item.set and not item.shift:
        fail(f"{noun} must 'set' or 'shift' at least one path", *loc)
    for kind in ("set", "shift"):
        for path, value in getattr(item, kind).items():
            try:
                what, _ = check_path(path, allow_indicator=True)
            except ValueError as exc:
                fail(str(exc), *loc, kind, path)
            if what == "initial":
                fail(f"{noun} changes the running state; name the indicator itself, not initial.*", *loc, kind, path)
            if kind == "set":
                lo, hi = path_range(path)
                if not _in_range(value, lo, hi):
                    fail(f"expected a value {_range_text(lo, hi)}, got {value:g}", *loc, kind, path)


def scenario_value(sc: Scenario, path: str) -> float:
    """The value a path has in a scenario (its setting, else the default)."""
    kind, name = check_path(path, allow_indicator=False)
    if kind == "param":
        return float(sc.params.get(name, PARAMS[name].default))
    if kind == "unpredictability":
        spec = sc.actors.get(name)
        if spec and spec.unpredictability is not None:
            return float(spec.unpredictability)
        return float(ACTOR_CLASSES[name].unpredictability)
    if kind == "weight":
        code, interest = name.split(".")
        spec = sc.actors.get(code)
        if spec and interest in spec.weights:
            return float(spec.weights[interest])
        return float(next(i.weight for i in ACTOR_CLASSES[code].interests if i.name == interest))
    # initial
    if name.startswith("relations."):
        pair = name[len("relations."):]
        for k, v in sc.relations.items():
            if canonical_relation(k) == pair:
                return float(v)
    for k, v in sc.initial.items():
        if canonical_indicator(k) == name:
            return float(v)
    return INDICATORS[name].initial


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (applying ``extends``) into a validated :class:`Scenario`.

    A bare name such as ``"baseline"`` loads the bundled ``scenarios/baseline.yaml``.

    Raises:
        ScenarioError: with the file, line, field and what was expected.
    """
    p = Path(path)
    if not p.exists() and p.suffix == "" and (SCENARIO_DIR / f"{path}.yaml").is_file():
        p = SCENARIO_DIR / f"{path}.yaml"
    src = _read_file(p)
    data, origins = _load_chain(src, p.resolve().parent, [str(p.resolve())])
    data.setdefault("name", p.stem)
    return _validate(data, origins, str(p), str(p.resolve()))


def load_scenario_text(text: str, name: str = "uploaded.yaml", base_dir: str | Path | None = None) -> Scenario:
    """Load a scenario from text (an upload); ``extends`` resolves against ``base_dir`` and the
    bundled scenarios."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", file=name)
    src = _parse_text(text, name)
    here = Path(base_dir) if base_dir else SCENARIO_DIR
    data, origins = _load_chain(src, here, [name])
    data.setdefault("name", Path(name).stem)
    return _validate(data, origins, name, str(here / Path(name).name))


def with_settings(sc: Scenario, settings: dict[str, float], *, source: str = "--set") -> Scenario:
    """A copy of a scenario with parameter paths set (``--set``, lever positions).

    Values are checked against the lever's range when the path is a lever, else against
    the parameter's valid range.
    """
    data = sc.to_dict()
    levers = {lv.path: lv for lv in sc.levers}
    for path, value in settings.items():
        try:
            kind, name = check_path(path)
        except ValueError as exc:
            raise ScenarioError(str(exc), file=source, field=path) from None
        value = float(value)
        if path in levers:
            lv = levers[path]
            if not lv.min <= value <= lv.max:
                raise ScenarioError(f"the lever '{lv.label}' takes values from {lv.min:g} to {lv.max:g}, "
                                    f"got {value:g}", file=source, field=path)
        lo, hi = path_range(path)
        if not _in_range(value, lo, hi):
            raise ScenarioError(f"expected a value {_range_text(lo, hi)}, got {value:g}", file=source, field=path)
        if kind == "param":
            data["params"][name] = value
        elif kind == "unpredictability":
            data["actors"].setdefault(name, {"unpredictability": None, "weights": {}})["unpredictability"] = value
        elif kind == "weight":
            code, interest = name.split(".")
            data["actors"].setdefault(code, {"unpredictability": None, "weights": {}})["weights"][interest] = value
        elif name.startswith("relations."):
            pair = name[len("relations."):]
            data["relations"] = {k: v for k, v in data["relations"].items() if canonical_relation(k) != pair}
            data["relations"][pair] = value
        else:
            data["initial"] = {k: v for k, v in data["initial"].items() if canonical_indicator(k) != name}
            data["initial"][name] = value
    data["extends"] = None
    return _validate(data, {}, source, sc.source)
