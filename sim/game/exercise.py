"""Teaching exercises: a scenario, the states students play, turns, briefings, injects and debrief questions.

An exercise file lives in ``scenarios/exercises/`` (bundled: ``sim/data/scenarios/exercises/``) and reads like this::

    name: pyongyang_bargain
    title: "Pyongyang's bargain"
    scenario: baseline          # name or path of a scenario, resolved like ``extends``
    roles: [DPRK, CHN]          # the actors students can play
    turn_months: 3              # a turn is a quarter: the player moves in its first month, and the
                                #   posture then holds for the other two
    turns: 8                    # 8 x 3 months must fit the scenario's horizon
    members: 200                # worlds in the ensemble (default 200)
    advisor: false              # whether players see the model's own scorecard (default off)
    situation: |                # public Markdown, for everyone (optional)
      ...
    briefings:                  # private Markdown, one per role, citing claims by id
      DPRK: |
        North Korea's current task is survival (s000-survival) ...
    injects:                    # surprises: set or shift paths exactly as scenario events do
      - id: poor_harvest
        label: "The 2024 harvest falls short"
        month: 2024-08          # it happens then ...
        shift: {params.grain_production_t: -400000}
        claims: [s001-grain-gap]
      - id: ceasefire
        label: "Ceasefire talks in Ukraine"
        release: instructor     # ... or the instructor releases it during the game
        set: {params.war_intensity_target: 0.1}
        news: "Moscow and Kyiv open talks; the guns fall quieter."
    debrief:                    # debrief questions for every role
      - "Where did the model's play differ from yours, and why?"
    debrief_by_role:            # ... and each role's own, asked after those
      DPRK:
        - "When did Beijing's patience run out, and why?"
      CHN:
        - "Did you keep the buffer stable? What did it cost?"

Every mistake is a :class:`~sim.errors.ScenarioError` naming the file, the line, the field
and what was expected, as for scenarios (the same loader and helpers in
:mod:`sim.scenario`): an unknown role, a claim id missing from ``seeds/evidence.yaml``,
turns that do not fit the scenario's horizon, an inject path that names nothing, a role
without a briefing.

API::

    from sim.game.exercise import load_exercise
    ex = load_exercise("pyongyang_bargain")      # a bundled name, or a path
    ex.scenario                                    # the resolved sim.Scenario
    ex.roles, ex.turns, ex.turn_months, ex.months  # months = turns x turn_months
    ex.briefing("DPRK")                            # Markdown (private to that role)
    ex.questions("DPRK")                           # its debrief questions (everyone's, then its own)
    ex.turn_label(2)                               # "2024-03 to 2024-05" (the baseline starts 2023-09)
    ex.game_scenario([("ceasefire", 3)])          # the scenario a game runs (injects as events)
    ex.to_dict(); Exercise.from_dict(data)         # self-contained (the scenario resolved inside)
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator

from sim.actors import ACTOR_CLASSES
from sim.errors import ScenarioError
from sim.indicators import ACTORS
from sim.data import EXERCISE_DIR, bundled_exercises
from sim.scenario import MAX_FILE_BYTES, Event, Scenario, check_path, load_scenario, month_label, path_range, scenario_value
from sim.scenario.checks import check_changes, describe_pydantic, fmt_loc, where
from sim.scenario.files import parse_text, read_file, resolve_bundled, resolve_parent
from sim.scenario.paths import in_range, range_text
from sim.scenario.schema import Month, Number, Strict, month_str


CLAIM_ID = re.compile(r"\bs\d{3}-[a-z0-9-]*[a-z0-9]")
"""A claim id as cited in Markdown text, e.g. ``(s000-survival)``."""

FORMAT = "peninsula-exercise/1"


class Inject(Strict):
    """A surprise during the game: at a month, or when the instructor releases it.

    It sets or shifts paths exactly as a scenario :class:`~sim.scenario.Event` does (and
    becomes one when it happens: :meth:`event`).
    """

    id: str = Field(..., pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64,
                    description="Short id (lower case, digits, _ and -).")
    label: str = Field(..., min_length=1, description="What happens, in a few words.")
    month: Month | None = Field(None, description="The month it happens (YYYY-MM) ...")
    release: Literal["instructor"] | None = Field(None, description="... or 'instructor': released during the game.")
    set: dict[str, Number] = Field(default_factory=dict, description="Path -> new value.")
    shift: dict[str, Number] = Field(default_factory=dict, description="Path -> change.")
    news: str = Field("", description="What the players read when it happens (Markdown); default the label.")
    claims: list[str] = Field(default_factory=list)

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v):
        return None if v is None else month_str(v)

    @model_validator(mode="after")
    def _when(self):
        if (self.month is None) == (self.release is None):
            raise ValueError("give either 'month: YYYY-MM' (it happens then) or 'release: instructor' "
                             "(the instructor releases it during the game), not both or neither")
        return self

    def event(self, month: str) -> Event:
        """The scenario event this inject becomes when it happens in ``month``."""
        return Event(month=month, label=self.label, set=dict(self.set), shift=dict(self.shift),
                     claims=list(self.claims))

    @property
    def text(self) -> str:
        """What players read when it happens."""
        return self.news.strip() or self.label


class Exercise(Strict):
    """A teaching exercise (see the module docstring for the file format).

    ``scenario`` in the file names the scenario; :attr:`scenario` here is the resolved
    :class:`~sim.scenario.Scenario` (the reference stays in :attr:`scenario_ref`).
    """

    name: str = Field("exercise", description="Short name (file name without .yaml by default).")
    title: str = ""
    description: str = ""
    scenario_ref: str = Field(..., alias="scenario", min_length=1,
                              description="Name or path of the scenario, resolved like 'extends'.")
    roles: list[str] = Field(..., min_length=1, description="Actor codes students can play.")
    turn_months: int = Field(..., ge=1, le=24, description="Months per turn: a player moves in the first; "
                             "the posture holds for the rest.")
    turns: int = Field(..., ge=1, le=240, description="Number of turns (turns x turn_months <= the horizon).")
    members: int = Field(200, ge=1, le=100_000, description="Worlds in the ensemble (default 200).")
    seed: int | None = Field(None, ge=0, lt=2**63, description="Seed (default: the scenario's).")
    advisor: bool = Field(False, description="Whether players see the model's own scorecard.")
    situation: str = Field("", description="Public briefing for everyone (Markdown).")
    briefings: dict[str, str] = Field(..., description="Role -> private briefing (Markdown citing claims).")
    injects: list[Inject] = Field(default_factory=list)
    debrief: list[str] = Field(default_factory=list, description="Debrief questions for every role.")
    debrief_by_role: dict[str, list[str]] = Field(default_factory=dict,
                                                  description="Role -> its own debrief questions (after the others).")
    source: str | None = Field(None, exclude=True, description="The file it was loaded from (set by the loader).")

    _scenario: Scenario | None = PrivateAttr(None)

    # -- derived -----------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        """The resolved scenario the game runs on."""
        assert self._scenario is not None, "an Exercise is made by load_exercise() or Exercise.from_dict()"
        return self._scenario

    @property
    def months(self) -> int:
        """Months the game covers: turns x turn_months."""
        return self.turns * self.turn_months

    def briefing(self, role: str) -> str:
        """The private briefing of a role (Markdown)."""
        if role not in self.briefings:
            raise KeyError(f"no role {role!r} in this exercise; its roles: {', '.join(self.roles)}")
        return self.briefings[role]

    def questions(self, role: str) -> list[str]:
        """The debrief questions for a role: those for every role (``debrief``), then its own (``debrief_by_role``)."""
        if role not in self.roles:
            raise KeyError(f"no role {role!r} in this exercise; its roles: {', '.join(self.roles)}")
        return [*self.debrief, *self.debrief_by_role.get(role, [])]

    def inject(self, inject_id: str) -> Inject:
        """The inject with this id (KeyError if none)."""
        for inj in self.injects:
            if inj.id == inject_id:
                return inj
        raise KeyError(inject_id)

    def turn_start(self, turn: int) -> int:
        """Month index at which a turn (index, from 0) begins."""
        return turn * self.turn_months

    def month_label(self, k: int) -> str:
        """``YYYY-MM`` of month index ``k``."""
        y0, m0 = self.scenario.start_ym
        return month_label(y0, m0, k)

    def turn_label(self, turn: int) -> str:
        """The months a turn (index) covers, e.g. ``"2023-09 to 2023-11"``."""
        a = self.turn_start(turn)
        if self.turn_months == 1:
            return self.month_label(a)
        return f"{self.month_label(a)} to {self.month_label(a + self.turn_months - 1)}"

    def game_scenario(self, released: Sequence[tuple[str, int]] = (), months: int | None = None) -> Scenario:
        """The scenario a game runs: cut to its months, with the injects as events.

        Cut to the game's months (or ``months``); the scheduled injects and the released ones
        (``(inject id, turn)``) become events.

        Events at the same month apply in this order: the scenario's, the scheduled injects
        (file order), the released ones (release order). The scenario's expectations are
        dropped (they speak of its own horizon).
        """
        sc = self.scenario
        t = self.months if months is None else int(months)
        events = [ev for ev in sc.events if sc.month_index(ev.month) < t]
        events += [inj.event(inj.month) for inj in self.injects
                   if inj.month is not None and sc.month_index(inj.month) < t]
        for inject_id, turn in released:
            k = self.turn_start(turn)
            if k < t:
                events.append(self.inject(inject_id).event(self.month_label(k)))
        scripted = []
        for sp in sc.scripted:
            if sp.months is not None:
                kept = [m for m in sp.months if sc.month_index(m) < t]
                if kept:
                    scripted.append(sp.model_copy(update={"months": kept}))
            elif sc.month_index(sp.from_) < t:
                last = min(sc.month_index(sp.to), t - 1)
                scripted.append(sp.model_copy(update={"to": self.month_label(last)}))
        return sc.model_copy(update={"months": t, "events": events, "scripted": scripted, "expectations": []})

    # -- storage ------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The exercise as plain data, with its scenario resolved inside.

        No files are needed to rebuild it: this is what a classroom stores.
        """
        data = self.model_dump(mode="json", by_alias=True)
        data["format"] = FORMAT
        data["resolved_scenario"] = self.scenario.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Exercise:
        """Rebuild an exercise from :meth:`to_dict` (checked again, as a file would be)."""
        if not isinstance(data, dict) or "resolved_scenario" not in data:
            raise ScenarioError("not a stored exercise (expected the output of Exercise.to_dict())",
                                file="<stored exercise>")
        data = dict(data)
        data.pop("format", None)
        try:
            sc = Scenario.model_validate(data.pop("resolved_scenario"))
        except ValidationError as exc:
            raise ScenarioError(f"the stored scenario is damaged ({exc.errors()[0]['msg']})",
                                file="<stored exercise>") from None
        return _build(data, {}, "<stored exercise>", None, scenario=sc)

    def content_hash(self) -> str:
        """SHA-256 of :meth:`to_dict` as canonical JSON."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Loading


def find_exercise(ref: str | Path) -> Path:
    """A path, or the name of a bundled exercise (``"pyongyang_bargain"``) -> its file."""
    p = Path(ref)
    if not p.exists() and p.suffix == "":
        bundled = EXERCISE_DIR / f"{ref}.yaml"
        if bundled.is_file():
            return bundled
    return p


def load_exercise(path: str | Path) -> Exercise:
    """Load and check an exercise file; a bare name loads a bundled one.

    Raises:
        ScenarioError: with the file, line, field and what was expected.
    """
    p = find_exercise(path)
    if not p.exists() and p.suffix == "":
        names = ", ".join(f.stem for f in bundled_exercises())
        raise ScenarioError(f"no such exercise file, nor a bundled exercise of that name (bundled: {names})",
                            file=str(path))
    src = read_file(p)
    text = p.read_text(encoding="utf-8")
    data = dict(src.data)
    data.setdefault("name", p.stem)
    origins = {k: (src.file, ln) for k, ln in src.lines.items()}
    ex = _build(data, origins, src.file, p.resolve().parent, text=text)
    ex.source = str(p.resolve())
    return ex


def load_exercise_text(text: str, name: str = "uploaded.yaml", base_dir: str | Path | None = None, *,
                       bundled_only: bool = True) -> Exercise:
    """Load an exercise from text (an upload).

    Its ``scenario`` must name a bundled scenario (``bundled_only``, the default for text that
    came from outside: a path is refused whether or not it exists, and nothing else is opened);
    with ``bundled_only=False`` it also resolves against ``base_dir``.
    """
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", file=name)
    src = parse_text(text, name)
    data = dict(src.data)
    data.setdefault("name", Path(name).stem)
    origins = {k: (name, ln) for k, ln in src.lines.items()}
    return _build(data, origins, name, Path(base_dir) if base_dir else EXERCISE_DIR, text=text,
                  bundled_only=bundled_only)


def _build(data: dict, origins: dict, file: str, here: Path | None, *, text: str | None = None,
           scenario: Scenario | None = None, bundled_only: bool = False) -> Exercise:
    try:
        ex = Exercise.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        efile, line = where(origins, loc, file)
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise ScenarioError(describe_pydantic(err) + more, file=efile, line=line, field=fmt_loc(loc)) from None
    if scenario is None:
        _, line = where(origins, ("scenario",), file)
        ref = (resolve_bundled(ex.scenario_ref, file, line, field="scenario") if bundled_only
               else resolve_parent(ex.scenario_ref, here, file, line, field="scenario"))
        scenario = load_scenario(ref)
    ex._scenario = scenario
    _check(ex, origins, file, text)
    return ex


def _line_of(text: str | None, start: int | None, needle: str) -> int | None:
    """The first line at or after ``start`` that holds ``needle`` (a claim id inside a block)."""
    if text is None or start is None:
        return start
    for i, line in enumerate(text.splitlines()[start - 1:], start=start):
        if needle in line:
            return i
    return start


def _check(ex: Exercise, origins: dict, file: str, text: str | None) -> None:
    from sim.scenario.evidence import load_claims

    claims = load_claims()
    sc = ex.scenario

    def fail(msg, *loc, needle=None):
        efile, line = where(origins, loc, file)
        if needle is not None and efile == file:
            line = _line_of(text, line, needle)
        raise ScenarioError(msg, file=efile, line=line, field=fmt_loc(loc))

    def unknown_claim(cid: str) -> str:
        close = difflib.get_close_matches(cid, list(claims), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"cites claim {cid!r}, which is not in seeds/evidence.yaml{hint}"

    def cited(body: str, *loc) -> list[str]:
        ids = CLAIM_ID.findall(body or "")
        for cid in ids:
            if cid not in claims:
                fail(unknown_claim(cid), *loc, needle=cid)
        return ids

    seen: set[str] = set()
    for i, role in enumerate(ex.roles):
        if role not in ACTOR_CLASSES:
            fail(f"unknown role {role!r}: a role is an actor code, one of {', '.join(ACTORS)}", "roles", i)
        if role in seen:
            fail(f"{role} is listed twice", "roles", i)
        seen.add(role)

    if ex.months > sc.months:
        most = sc.months // ex.turn_months
        fail(f"{ex.turns} turns of {ex.turn_months} months make {ex.months} months, but the scenario "
             f"'{sc.name}' runs {sc.months} months ({sc.dates()[0]} to {sc.dates()[-1]}); expected at most "
             f"{most} turns of {ex.turn_months} months", "turns")

    for role in ex.roles:
        if not (ex.briefings.get(role) or "").strip():
            fail(f"no briefing for the role {role}: every role needs one (what it wants, what it fears, "
                 "what it can do, citing claims)", "briefings", role)
    for role in ex.briefings:
        if role not in ex.roles:
            fail(f"a briefing for {role}, which is not one of the roles ({', '.join(ex.roles)})", "briefings", role)
        if not cited(ex.briefings[role], "briefings", role):
            fail("a briefing cites the evidence: name at least one claim id from seeds/evidence.yaml, "
                 "e.g. (s000-survival)", "briefings", role)
    cited(ex.situation, "situation")
    cited(ex.description, "description")

    last = ex.months - 1
    ids: set[str] = set()
    for i, inj in enumerate(ex.injects):
        if inj.id in ids:
            fail(f"another inject already has the id {inj.id!r}; ids must be unique", "injects", i, "id")
        ids.add(inj.id)
        if inj.month is not None:
            k = sc.month_index(inj.month)
            if not 0 <= k <= last:
                fail(f"month {inj.month} lies outside the game ({ex.month_label(0)} to {ex.month_label(last)}: "
                     f"{ex.turns} turns of {ex.turn_months} months)", "injects", i, "month")
        check_changes(inj, ("injects", i), "an inject", fail)
        for path, value in inj.shift.items():
            if check_path(path, allow_indicator=True)[0] == "indicator":
                continue  # the model clips indicators to their range
            lo, hi = path_range(path)
            for base in _values_in_game(ex, path):
                new = base + _shifts(ex, path, value)
                if not in_range(new, lo, hi):
                    fail(f"with the other injects this shift can take {path} from {base:g} to {new:g}, outside its "
                         f"range ({range_text(lo, hi)})", "injects", i, "shift", path)
        for j, cid in enumerate(inj.claims):
            if cid not in claims:
                fail(unknown_claim(cid), "injects", i, "claims", j)
        cited(inj.news, "injects", i, "news")

    for i, q in enumerate(ex.debrief):
        if not q.strip():
            fail("an empty debrief question", "debrief", i)
        cited(q, "debrief", i)
    for role, questions in ex.debrief_by_role.items():
        if role not in ex.roles:
            fail(f"debrief questions for {role}, which is not one of the roles ({', '.join(ex.roles)}); "
                 "questions for every role go under 'debrief'", "debrief_by_role", role)
        for i, q in enumerate(questions):
            if not q.strip():
                fail("an empty debrief question", "debrief_by_role", role, i)
            cited(q, "debrief_by_role", role, i)


def _values_in_game(ex: Exercise, path: str) -> list[float]:
    """Every value a parameter path can hold during the game before a shift.

    The scenario's, after each of its events, and each value an inject sets.
    """
    sc = ex.scenario
    value = scenario_value(sc, path)
    out = [value]
    for ev in sorted(sc.events, key=lambda ev: sc.month_index(ev.month)):
        if sc.month_index(ev.month) >= ex.months:
            continue
        if path in ev.set:
            value = ev.set[path]
        if path in ev.shift:
            value = value + ev.shift[path]
        out.append(value)
    out += [inj.set[path] for inj in ex.injects if path in inj.set]
    return out


def _shifts(ex: Exercise, path: str, value: float) -> float:
    """The worst total shift of a path, in the direction of ``value``, if every inject happens."""
    same = [inj.shift[path] for inj in ex.injects if path in inj.shift and (inj.shift[path] < 0) == (value < 0)]
    return sum(same)
