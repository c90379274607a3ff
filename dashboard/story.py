""""What happened": one member's run told month by month in plain sentences.

Each sentence says what an actor chose and the interest that drove it (the interest
whose advantage for the chosen option was largest: ``Results.reasons``), with the
claims from the seed articles behind that interest, e.g.
"2025-03 — China chose squeeze trade, mostly for its influence (claims s003-reduce-influence)".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from sim.actors import ACTOR_CLASSES
from sim.scenario.evidence import load_claims
from sim.indicators import ACTOR_NAMES


@dataclass(frozen=True)
class Line:
    """One actor's choice in one month, explained."""

    month: str
    actor: str
    option: str
    reason: str
    text: str  # the plain sentence
    html: str  # the same without the month, as HTML: actor in its colour, tooltips on interests and claims
    claims: tuple[str, ...]
    changed: bool  # the choice differs from the month before


_PROPER = {"us": "US", "dprk": "DPRK", "un": "UN", "rok": "ROK", "china": "China", "russia": "Russia",
           "ukraine": "Ukraine", "japan": "Japan", "pyongyang": "Pyongyang", "moscow": "Moscow"}


def words(name: str) -> str:
    """An identifier in words: ``shield_at_un`` -> ``shield at UN``, ``aid_dprk`` -> ``aid DPRK``."""
    return " ".join(_PROPER.get(w, w) for w in name.split("_"))


def _interest(actor: str, name: str):
    return next((i for i in ACTOR_CLASSES[actor].interests if i.name == name), None)


def explain(actor: str, month: str, option: str, reason: str, scorecard: dict[str, float] | None = None,
            changed: bool = True, colour: str = "inherit") -> Line:
    """The sentence for one choice.

    Args:
        actor: actor code.
        month: ``YYYY-MM``.
        option: the option chosen.
        reason: an interest name, or 'unpredictability', 'scripted', 'player'.
        scorecard: per-interest advantage of the chosen option (``Results.scorecard``), if known.
        changed: whether the choice differs from the month before.
        colour: the actor's colour in the HTML version.
    """
    cls = ACTOR_CLASSES[actor]
    who = ACTOR_NAMES[actor]
    opt = next((o for o in cls.options if o.name == option), None)
    esc = html.escape
    did = f"{who} chose {words(option)}"
    did_html = (f"<b style='color:{colour}'>{esc(who)}</b> chose "
                f"<abbr title=\"{esc(opt.description if opt else option, quote=True)}\">{esc(words(option))}</abbr>")
    claims: tuple[str, ...] = ()
    if reason == "scripted":
        why = why_html = ", as the scenario scripts it"
    elif reason == "player":
        why = why_html = ": a player chose it"
    elif reason == "unpredictability":
        claims = tuple(cls.unpredictability_claims)
        why = why_html = ", although another option scored higher: its unpredictability"
    else:
        intr = _interest(actor, reason)
        claims = tuple(intr.claims) if intr else ()
        why = f", mostly for its {words(reason)}"
        tip = esc(intr.description if intr else reason, quote=True)
        why_html = f", mostly for its <abbr title=\"{tip}\">{esc(words(reason))}</abbr>"
    if scorecard and reason not in ("scripted", "player"):
        others = sorted(((v, k) for k, v in scorecard.items() if k != reason and v > 1e-6), reverse=True)[:2]
        if others:
            also = " and ".join(words(k) for _, k in others)
            why += f"; also {also}"
            why_html += f"; also {esc(also)}"
    if claims:
        why += f" (claims {', '.join(claims)})"
        why_html += " (claims " + ", ".join(claim_tag(c) for c in claims) + ")"
    return Line(month, actor, option, reason, f"{month} — {did}{why}", did_html + why_html, claims, changed)


def member_story(dates: Sequence[str], record: dict[str, dict[str, list]], actors: Sequence[str],
                 changes_only: bool = False, colours: dict[str, str] | None = None) -> list[Line]:
    """All the sentences of one member's run, month by month, actor by actor.

    Args:
        dates: ``YYYY-MM`` of the months in which choices were made (``Results.dates[:-1]``).
        record: actor -> {"option": [...], "reason": [...], "scorecard": [...] or None}
            (see :func:`dashboard.data.member_record`).
        actors: which actors to tell about.
        changes_only: keep only the months where an actor's choice changed (and the first).
        colours: actor -> colour for the HTML versions.
    """
    lines = []
    for t, month in enumerate(dates):
        for a in actors:
            rec = record[a]
            if t >= len(rec["option"]):
                continue
            changed = t == 0 or rec["option"][t] != rec["option"][t - 1]
            if changes_only and not changed:
                continue
            card = rec["scorecard"][t] if rec.get("scorecard") else None
            lines.append(explain(a, month, rec["option"][t], rec["reason"][t], card, changed,
                                 colours.get(a, "inherit") if colours else "inherit"))
    return lines


def claim_tag(cid: str) -> str:
    """HTML for a claim id whose tooltip is its quote and source (for ``st.markdown(unsafe_allow_html=True)``)."""
    c = load_claims().get(cid)
    if c is None:
        return html.escape(cid)
    tip = html.escape(f"“{c.quote}” ({c.source})", quote=True)
    return f"<abbr title=\"{tip}\">{html.escape(cid)}</abbr>"
