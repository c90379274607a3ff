"""The evidence behind the model: claims from the seed articles, and what in the model cites them.

``seeds/evidence.yaml`` lists the claims (id, source, verbatim quote, note, context,
used_by). The model cites claim ids in its declarations: actors' options and interests,
world parameters, indicators' starting values, and the bundled scenarios' events, levers
and uncertainties. :func:`citations` collects those citations; ``used_by`` in the file
must equal them, and ``python -m sim.scenario.evidence --write`` rewrites it when the model changes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from sim.actors import ACTOR_CLASSES
from sim.data import EVIDENCE_FILE, EXERCISE_DIR, SCENARIO_DIR, SEEDS_DIR
from sim.indicators import INDICATORS
from sim.params import PARAMS

SEEDS = SEEDS_DIR


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


def citations(scenario_dir: Path | None = None) -> dict[str, list[str]]:
    """Claim id -> the model elements that cite it (sorted)."""
    cited: dict[str, set[str]] = {}

    def cite(ids, what):
        for cid in ids:
            cited.setdefault(cid, set()).add(what)

    for code, cls in ACTOR_CLASSES.items():
        for opt in cls.options:
            cite(opt.claims, f"{code}.option.{opt.name}")
        for intr in cls.interests:
            cite(intr.claims, f"{code}.interest.{intr.name}")
        cite(cls.status_quo_claims, f"{code}.status_quo")
        cite(cls.unpredictability_claims, f"{code}.unpredictability")
    for p in PARAMS.values():
        cite(p.claims, f"params.{p.name}")
    for ind in INDICATORS.values():
        cite(ind.claims, f"initial.{ind.name}")
    from sim.scenario.loader import load_scenario

    sdir = scenario_dir or SCENARIO_DIR
    for f in sorted(sdir.glob("*.yaml")):
        sc = load_scenario(f)
        own = yaml.safe_load(f.read_text(encoding="utf-8"))
        # cite only what the file itself declares (not what it inherits)
        for group in ("events", "levers", "uncertainties", "scripted"):
            for item in own.get(group) or []:
                label = item.get("label") or item.get("path") or f"{item.get('actor')} {item.get('option')}"
                kind = {"events": "event", "levers": "lever", "uncertainties": "uncertainty",
                        "scripted": "scripted choice"}[group]
                cite(item.get("claims") or [], f"scenario {sc.name}: {kind} {label}")
        cite(re.findall(r"\bs\d{3}-[a-z0-9-]*[a-z0-9]", own.get("description") or ""), f"scenario {sc.name}: description")
    for f in sorted((EXERCISE_DIR if scenario_dir is None else sdir / "exercises").glob("*.yaml")):
        own = yaml.safe_load(f.read_text(encoding="utf-8"))
        for role, text in (own.get("briefings") or {}).items():
            cite(re.findall(r"\bs\d{3}-[a-z0-9-]*[a-z0-9]", str(text)), f"exercise {f.stem}: briefing {role}")
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
