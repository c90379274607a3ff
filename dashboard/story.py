""""What happened": one member's run told month by month in plain sentences.

Each sentence says what an actor did with its posture and the interest that drove it (the
interest whose advantage for the chosen move was largest: ``Results.reasons``), with the
claims from the seed articles behind that interest, e.g.
"2025-03 — China scaled back its trade with the DPRK (1.00 → 0.75), mostly for its influence
(claims s003-reduce-influence, ...)". A move is one of three kinds (:func:`move_kind`): ``keep``
("China kept its posture"), a change of instruments ("Russia stepped up its rice programme"),
or a one-off act ("China chose to pressure Moscow"). A month without a review is told as
"kept its posture between reviews".
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from sim.actors import ACTOR_CLASSES
from sim.actors.base import KEEP
from sim.engine import REASON_BETWEEN, REASON_LABELS
from sim.indicators import ACTOR_NAMES
from sim.scenario.evidence import load_claims

BETWEEN = REASON_LABELS[REASON_BETWEEN]
"""The reason recorded for a month in which an actor did not review its posture (it kept it)."""


@dataclass(frozen=True)
class Line:
    """One actor's move in one month, explained."""

    month: str
    actor: str
    move: str
    reason: str
    text: str  # the plain sentence
    html: str  # the same without the month, as HTML: actor in its colour, tooltips on moves, interests and claims
    claims: tuple[str, ...]
    moved: bool  # a move other than keep: the posture changed, or a one-off act


_PROPER = {"us": "US", "dprk": "DPRK", "un": "UN", "rok": "ROK", "china": "China", "russia": "Russia",
           "ukraine": "Ukraine", "japan": "Japan", "pyongyang": "Pyongyang", "moscow": "Moscow"}


def words(name: str) -> str:
    """An identifier in words: ``shield_at_un`` -> ``shield at UN``, ``aid_dprk`` -> ``aid DPRK``."""
    return " ".join(_PROPER.get(w, w) for w in name.split("_"))


INSTRUMENT_PHRASES: dict[str, str] = {
    "DPRK.export_level": "its munitions exports",
    "DPRK.deployment_level": "its troop deployment",
    "DPRK.test_tempo": "its missile test tempo",
    "RUS.purchase_level": "its shell purchases",
    "RUS.food_aid_level": "its rice programme",
    "RUS.un_shield": "its shield at the UN",
    "RUS.tech_level": "its technology transfers",
    "CHN.trade_level": "its trade with the DPRK",
    "CHN.aid_level": "its food aid",
    "CHN.pressure_on_dprk": "its pressure on Pyongyang",
    "USA.presence_level": "its presence in the region",
    "USA.ukraine_aid": "its aid to Ukraine",
    "USA.sanctions_effort": "its sanctions effort",
    "ROK.defence_effort": "its defences",
    "ROK.ukraine_aid": "its aid to Ukraine",
    "JPN.defence_effort": "its defences",
    "UKR.strike_campaign": "its strike campaign",
    "UKR.lobbying": "its lobbying",
}
"""How a sentence names an instrument; one not listed is named from its indicator (:func:`instrument_phrase`)."""


def instrument_phrase(indicator: str) -> str:
    """An instrument as the object of a sentence: ``RUS.food_aid_level`` -> ``its rice programme``."""
    if indicator in INSTRUMENT_PHRASES:
        return INSTRUMENT_PHRASES[indicator]
    return "its " + words(indicator.partition(".")[2].removesuffix("_level"))


def move_kind(actor: str, move: str) -> str:
    """``"keep"``, ``"change"`` (it steps instruments) or ``"act"`` (a one-off act)."""
    opt = _move(actor, move)
    if move == KEEP or opt is None:
        return "keep"
    return "change" if opt.changes else "act"


def move_phrase(actor: str, move: str) -> str:
    """What a move does, as a verb phrase.

    ``kept its posture``, ``stepped up its rice programme``, ``scaled back its trade with the DPRK``
    (and a move that steps two instruments names both), ``chose to pressure Moscow``.
    """
    opt = _move(actor, move)
    if move == KEEP or opt is None:
        return "kept its posture"
    if not opt.changes:
        return f"chose to {words(move)}"
    return " and ".join(f"{'stepped up' if steps > 0 else 'scaled back'} {instrument_phrase(ind)}"
                        for ind, steps in opt.changes.items())


def _move(actor: str, name: str):
    return next((o for o in ACTOR_CLASSES[actor].options if o.name == name), None)


def _interest(actor: str, name: str):
    return next((i for i in ACTOR_CLASSES[actor].interests if i.name == name), None)


def _levels_text(actor: str, move: str, t: int | None, levels: dict[str, list[float]] | None,
                 events: dict[str, list[int]] | None = None) -> str:
    """`` (0.25 → 0.50)``: the levels the move took its instruments from and to, if known.

    Only the level before (`` (from 0.25)``) where a scheduled event of the next month set or
    shifted the instrument: the level recorded for that month is the event's.
    """
    opt = _move(actor, move)
    if not levels or t is None or opt is None or not opt.changes:
        return ""
    parts = []
    for ind in opt.changes:
        series = levels.get(ind)
        if series is None or t + 1 >= len(series):
            return ""
        if t + 1 in (events or {}).get(ind, ()):
            parts.append(f"from {series[t]:.2f}")
        else:
            parts.append(f"{series[t]:.2f} → {series[t + 1]:.2f}")
    return f" ({'; '.join(parts)})"


def explain(actor: str, month: str, move: str, reason: str, scorecard: dict[str, float] | None = None,
            colour: str = "inherit", *, t: int | None = None, levels: dict[str, list[float]] | None = None,
            events: dict[str, list[int]] | None = None) -> Line:
    """The sentence for one month's move.

    Args:
        actor: actor code.
        month: ``YYYY-MM``.
        move: the move made (``keep`` in a month between reviews).
        reason: an interest name, or 'between reviews', 'unpredictability', 'scripted', 'player'.
        scorecard: per-interest advantage of the move (``Results.scorecard``), if known.
        colour: the actor's colour in the HTML version.
        t: the month's index; with ``levels``, a change of posture says from which level to which.
        levels: the member's instrument levels month by month (:func:`dashboard.data.member_record`).
        events: instrument -> the months at which scheduled events change it (the level after a
            move followed by such an event is the event's, so only the level before is told).
    """
    cls = ACTOR_CLASSES[actor]
    who = ACTOR_NAMES[actor]
    opt = _move(actor, move)
    esc = html.escape
    phrase = move_phrase(actor, move)
    shift = _levels_text(actor, move, t, levels, events)
    did = f"{who} {phrase}{shift}"
    tip = opt.description if opt else move
    did_html = (f"<b style='color:{colour}'>{esc(who)}</b> <abbr title=\"{esc(tip, quote=True)}\">{esc(phrase)}"
                f"</abbr>{esc(shift)}")
    claims: tuple[str, ...] = ()
    if reason == BETWEEN:
        why = why_html = " between reviews"
    elif reason == "scripted":
        why = why_html = ", as the scenario scripts it"
    elif reason == "player":
        why = why_html = ", as a player chose"
    elif reason == "unpredictability":
        claims = tuple(cls.unpredictability_claims)
        why = why_html = ", although another move scored higher: its unpredictability"
    else:
        intr = _interest(actor, reason)
        claims = tuple(intr.claims) if intr else ()
        why = f", mostly for its {words(reason)}"
        itip = esc(intr.description if intr else reason, quote=True)
        why_html = f", mostly for its <abbr title=\"{itip}\">{esc(words(reason))}</abbr>"
    if scorecard and reason not in ("scripted", "player", BETWEEN):
        others = sorted(((v, k) for k, v in scorecard.items() if k != reason and v > 1e-6), reverse=True)[:2]
        if others:
            also = " and ".join(words(k) for _, k in others)
            why += f"; also {also}"
            why_html += f"; also {esc(also)}"
    if claims:
        why += f" (claims {', '.join(claims)})"
        why_html += " (claims " + ", ".join(claim_tag(c) for c in claims) + ")"
    return Line(month, actor, move, reason, f"{month} — {did}{why}", did_html + why_html, claims, move != KEEP)


def member_story(dates: Sequence[str], record: dict[str, dict], actors: Sequence[str],
                 moves_only: bool = False, colours: dict[str, str] | None = None) -> list[Line]:
    """All the sentences of one member's run, month by month, actor by actor.

    Args:
        dates: ``YYYY-MM`` of the months in which moves were made (``Results.dates[:-1]``).
        record: actor -> {"move": [...], "reason": [...], "scorecard": [...] or None, "levels": {...},
            "events": {...}}
            (see :func:`dashboard.data.member_record`).
        actors: which actors to tell about.
        moves_only: keep only the months in which an actor made a move other than ``keep`` (a
            change of posture or a one-off act).
        colours: actor -> colour for the HTML versions.
    """
    lines = []
    for t, month in enumerate(dates):
        for a in actors:
            rec = record[a]
            if t >= len(rec["move"]):
                continue
            move = rec["move"][t]
            if moves_only and move == KEEP:
                continue
            card = rec["scorecard"][t] if rec.get("scorecard") else None
            lines.append(explain(a, month, move, rec["reason"][t], card,
                                 colours.get(a, "inherit") if colours else "inherit", t=t, levels=rec.get("levels"),
                                 events=rec.get("events")))
    return lines


def claim_tag(cid: str) -> str:
    """HTML for a claim id whose tooltip is its quote and source (for ``st.markdown(unsafe_allow_html=True)``)."""
    c = load_claims().get(cid)
    if c is None:
        return html.escape(cid)
    tip = html.escape(f"“{c.quote}” ({c.source})", quote=True)
    return f"<abbr title=\"{tip}\">{html.escape(cid)}</abbr>"
