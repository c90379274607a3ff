"""The evidence behind the model: claims from the seed articles, and what in the model cites them.

``seeds/evidence.yaml`` lists the claims (id, source, verbatim quote, note, context,
used_by). The model cites claim ids in its declarations: actors' instruments, moves,
interests, red lines, status quo and noise; world parameters; indicators' starting values;
and the bundled scenarios' events, levers, uncertainties, scripted moves and expectations,
and the exercises' briefings and injects. :func:`citations` collects those citations;
``used_by`` in the file must equal them, and ``python -m sim.scenario.evidence --write``
rewrites it when the model changes.

Each citing element has a *label*, the name it goes by in ``used_by`` and in notes:

==========================  ===========================================================
``params.NAME``             a world parameter (:mod:`sim.params`)
``initial.INDICATOR``       an indicator's starting value (:mod:`sim.indicators`)
``ACTOR.instrument.NAME``   an instrument, the indicator ``ACTOR.NAME`` (``RUS.food_aid_level``)
``ACTOR.move.NAME``         a move (``DPRK.move.deploy_more``; ``ACTOR.move.keep`` for keeping)
``ACTOR.interest.NAME``     an interest
``ACTOR.red_line.NAME``     a red line (``CHN.red_line.combat_troops``)
``ACTOR.status_quo``        what the actor does in a month without a decision (keep)
``ACTOR.unpredictability``  the noise on the actor's choice
==========================  ===========================================================

A note may also name an indicator itself (``DPRK.troops_abroad``) and an interest's weight
(``CHN.weights.influence``, a scenario path); :func:`note_names` is everything a note may
name, and :func:`named_by` says which names in a note stand for a label.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from sim.actors import ACTOR_CLASSES
from sim.data import EVIDENCE_FILE, EXERCISE_DIR, SCENARIO_DIR, SEEDS_DIR
from sim.indicators import INDICATORS
from sim.params import PARAMS

SEEDS = SEEDS_DIR

CLAIM_ID = re.compile(r"\bs\d{3}-[a-z0-9-]*[a-z0-9]")
"""A claim id as it appears in prose (``s003-4800-shells``)."""


@dataclass(frozen=True)
class Claim:
    """One claim from a seed article."""

    id: str
    source: str
    quote: str
    note: str
    context: bool
    used_by: tuple[str, ...]

    def article(self) -> str:
        """The text of the article the claim quotes."""
        return (SEEDS / self.source).read_text(encoding="utf-8")


@cache
def load_claims(path: str | Path = EVIDENCE_FILE) -> dict[str, Claim]:
    """The claims in ``seeds/evidence.yaml``, by id."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out: dict[str, Claim] = {}
    for c in data["claims"]:
        out[c["id"]] = Claim(c["id"], c["source"], c["quote"], c.get("note", ""), bool(c.get("context")),
                             tuple(c.get("used_by") or ()))
    return out


@dataclass(frozen=True)
class Citing:
    """One element of the model that cites claims: its label, the claims, and its assumption, if any.

    ``assumption`` is the reasoning where no article gives the value (a parameter's default, a
    starting value, an actor's noise); an element with one may cite no claim.
    """

    label: str
    claims: tuple[str, ...]
    assumption: str = ""


def model_citings() -> Iterator[Citing]:
    """Every element of the model (not the scenarios) that cites claims, in a fixed order.

    Actors (instruments, moves, interests, red lines, status quo, noise), then the world
    parameters, then the indicators' starting values.
    """
    for code, cls in ACTOR_CLASSES.items():
        for ins in cls.instruments:
            yield Citing(instrument_label(ins.indicator), ins.claims)
        for move in cls.moves:
            yield Citing(f"{code}.move.{move.name}", move.claims)
        for intr in cls.interests:
            yield Citing(f"{code}.interest.{intr.name}", intr.claims)
        for line in cls.red_lines:
            yield Citing(f"{code}.red_line.{line.name}", line.claims)
        yield Citing(f"{code}.status_quo", cls.status_quo_claims)
        yield Citing(f"{code}.unpredictability", cls.unpredictability_claims, cls.unpredictability_assumption)
    for p in PARAMS.values():
        yield Citing(f"params.{p.name}", p.claims, p.assumption)
    for ind in INDICATORS.values():
        yield Citing(f"initial.{ind.name}", ind.claims, ind.assumption)


def instrument_label(indicator: str) -> str:
    """The label of the instrument that is ``indicator``: ``RUS.food_aid_level`` -> ``RUS.instrument.food_aid_level``."""
    code, name = indicator.split(".", 1)
    return f"{code}.instrument.{name}"


def is_model_label(label: str) -> bool:
    """Whether a ``used_by`` entry is an element of the model (not a scenario or an exercise)."""
    return not label.startswith(("scenario ", "exercise "))


@cache
def note_names() -> frozenset[str]:
    """Every name a note may put in backticks.

    Each label of :func:`model_citings`, whether or not it cites a claim, every indicator, and
    every interest's weight (``ACTOR.weights.NAME``).
    """
    names = {c.label for c in model_citings()} | set(INDICATORS)
    for code, cls in ACTOR_CLASSES.items():
        names |= {f"{code}.weights.{i.name}" for i in cls.interests}
    return frozenset(names)


def named_by(label: str) -> set[str]:
    """The names by which a note names the element ``label``.

    The label itself, and for an instrument also its indicator (``RUS.food_aid_level`` names
    ``RUS.instrument.food_aid_level``).
    """
    names = {label}
    code, _, rest = label.partition(".")
    if rest.startswith("instrument."):
        names.add(f"{code}.{rest.removeprefix('instrument.')}")
    return names


@dataclass(frozen=True)
class Assumption:
    """A number of the model that no article gives: its path, its default value, and the reasoning."""

    path: str
    value: float | None
    unit: str
    reasoning: str
    claims: tuple[str, ...]


def assumptions() -> list[Assumption]:
    """Every default of the model marked as an assumption: parameters, starting values, noise, weights.

    The values are the live defaults from the code (a scenario may set others).
    """
    out = [Assumption(f"params.{p.name}", p.default, p.unit, p.assumption, p.claims)
           for p in PARAMS.values() if p.assumption]
    out += [Assumption(f"initial.{i.name}", i.initial, i.unit, i.assumption, i.claims)
            for i in INDICATORS.values() if i.assumption]
    for code, cls in ACTOR_CLASSES.items():
        if cls.unpredictability_assumption:
            out.append(Assumption(f"{code}.unpredictability", cls.unpredictability, "utility",
                                  cls.unpredictability_assumption, cls.unpredictability_claims))
        if cls.weights_assumption:
            out.append(Assumption(f"{code}.weights", None, "weight", cls.weights_assumption,
                                  tuple(dict.fromkeys(c for i in cls.interests for c in i.claims))))
    return out


_GROUPS = {"events": "event", "levers": "lever", "uncertainties": "uncertainty", "scripted": "scripted choice",
           "expectations": "expectation"}


def _scenario_label(group: str, item: dict) -> str:
    if group == "scripted":
        return f"{item.get('actor')} {item.get('option')}"
    if group == "expectations":
        return str(item.get("says"))
    return str(item.get("label") or item.get("path"))


def citations(scenario_dir: Path | None = None) -> dict[str, list[str]]:
    """Claim id -> the labels of what cites it, sorted.

    The model's elements (:func:`model_citings`), the bundled scenarios (``scenario NAME: KIND
    LABEL``, where KIND is event, lever, uncertainty, scripted choice, expectation or description)
    and the exercises (``exercise NAME: briefing ROLE`` or ``inject ID``).
    """
    cited: dict[str, set[str]] = {}

    def cite(ids, what):
        for cid in ids:
            cited.setdefault(cid, set()).add(what)

    for c in model_citings():
        cite(c.claims, c.label)
    from sim.scenario.loader import load_scenario

    sdir = scenario_dir or SCENARIO_DIR
    for f in sorted(sdir.glob("*.yaml")):
        sc = load_scenario(f)
        own = yaml.safe_load(f.read_text(encoding="utf-8"))
        # cite only what the file itself declares (not what it inherits)
        for group, kind in _GROUPS.items():
            for item in own.get(group) or []:
                cite(item.get("claims") or [], f"scenario {sc.name}: {kind} {_scenario_label(group, item)}")
        cite(CLAIM_ID.findall(own.get("description") or ""), f"scenario {sc.name}: description")
    for f in sorted((EXERCISE_DIR if scenario_dir is None else sdir / "exercises").glob("*.yaml")):
        own = yaml.safe_load(f.read_text(encoding="utf-8"))
        for role, text in (own.get("briefings") or {}).items():
            cite(CLAIM_ID.findall(str(text)), f"exercise {f.stem}: briefing {role}")
        for item in own.get("injects") or []:
            cite(item.get("claims") or [], f"exercise {f.stem}: inject {item.get('id')}")
    return {k: sorted(v) for k, v in sorted(cited.items())}


def _scalar(text: str) -> str:
    """One YAML scalar on one line, quoted only when needed."""
    return yaml.safe_dump(text, default_style=None, width=10**9).strip().removesuffix("...").strip()


def write_used_by(path: Path = EVIDENCE_FILE) -> int:
    """Rewrite the ``used_by`` lines of the evidence file from :func:`citations`; returns claims changed."""
    cited = citations()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out, current, changed = [], None, 0
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*- id:\s*(\S+)", line)
        if m:
            current = m.group(1)
        if re.match(r"\s+used_by:", line) and current is not None:
            indent = line[: len(line) - len(line.lstrip())]
            j = i + 1
            while j < len(lines) and lines[j].startswith(indent + "  - "):
                j += 1
            uses = cited.get(current, [])
            new = [f"{indent}used_by: []\n"] if not uses else \
                [f"{indent}used_by:\n"] + [f"{indent}  - {_scalar(u)}\n" for u in uses]
            if new != lines[i:j]:
                changed += 1
            out += new
            i = j
            continue
        out.append(line)
        i += 1
    path.write_text("".join(out), encoding="utf-8")
    load_claims.cache_clear()
    return changed


if __name__ == "__main__":  # pragma: no cover
    if "--write" in sys.argv:
        print(f"updated used_by of {write_used_by()} claims")
    else:
        for cid, uses in citations().items():
            print(cid, "<-", ", ".join(uses))
