"""Presentation of the evidence: article titles, articles with their claims' quotes marked, moves in words.

The Evidence page lists each actor's instruments, moves and red lines; the words for what a move
does (:func:`move_nature`), what it needs (:func:`requirement_text`) and the relations it moves
(:func:`relations_text`) are here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.story import claim_tag, words
from sim.actors.base import KEEP, Instrument, Option, Requirement
from sim.scenario.evidence import SEEDS, Claim


@dataclass(frozen=True)
class Article:
    """A seed article: file name, a title, its text."""

    source: str
    title: str
    text: str


def _title(text: str) -> str:
    first = text.strip().splitlines()[0].strip()
    first = first.removeprefix("Home »").strip()
    if len(first) <= 90:
        return first
    cut = first[:90].rsplit(" ", 1)[0]
    return cut + "…"


def articles() -> dict[str, Article]:
    """The seed articles (``seeds/*.txt``) by file name."""
    out = {}
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        out[p.name] = Article(p.name, _title(text), text)
    return out


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote stands in an article (exactly, else with any whitespace between words)."""
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (m.start(), m.end()) if m else None


def marked_html(text: str, claims: Iterable[Claim]) -> str:
    """The article as HTML paragraphs, each claim's quote in ``<mark>`` with its id as a tooltip."""
    spans = []
    for c in claims:
        where = find_quote(text, c.quote)
        if where:
            spans.append((where[0], where[1], c.id))
    spans.sort()
    # merge overlapping quotes into one mark naming all their claims
    merged: list[list] = []
    for s, e, cid in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(cid)
        else:
            merged.append([s, e, [cid]])
    out, pos = [], 0
    for s, e, ids in merged:
        out.append(html.escape(text[pos:s]))
        label = ", ".join(ids)
        out.append(f"<mark title=\"{html.escape(label)}\" style=\"background:#fff3b0;padding:0 2px\">"
                   f"{html.escape(' '.join(text[s:e].split()))}</mark><sup style=\"color:#8a6d00;font-size:0.7em\">"
                   f"{html.escape(label)}</sup>")
        pos = e
    out.append(html.escape(text[pos:]))
    body = "".join(out)
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
    return "<div style=\"line-height:1.6;font-size:0.95rem\">" + "".join(f"<p>{p}</p>" for p in paras) + "</div>"


def tags(ids: Iterable[str]) -> str:
    """Claim ids as HTML with their quotes as tooltips."""
    ids = list(ids)
    return ", ".join(claim_tag(c) for c in ids) if ids else "<i>no claim</i>"


def instrument_label(ins: Instrument) -> str:
    """An instrument's short name: ``CHN.trade_level`` -> ``trade level``."""
    return words(ins.indicator.partition(".")[2])


def move_nature(move: Option) -> str:
    """What kind of move it is: ``keeps the posture``, ``steps CHN.trade_level down``, ``a one-off act``."""
    if move.name == KEEP and not move.changes:
        return "keeps the posture"
    if move.is_act:
        return "a one-off act"
    return " and ".join(f"steps {ind} {'up' if n > 0 else 'down'}" + (f" ({abs(n)} steps)" if abs(n) > 1 else "")
                        for ind, n in move.changes.items())


def requirement_text(req: Requirement) -> str:
    """``world.mutual_assistance at least 0.5: needs the mutual-assistance treaty in force``."""
    return f"{req.indicator} at least {req.minimum:g}: {req.reason}"


def relations_text(relations: dict[str, float], *, per_level: bool = False) -> str:
    """`` Relations: RUS-DPRK +0.02 (a month, per unit of level).`` or nothing when it moves none."""
    if not relations:
        return ""
    when = " a month, per unit of level" if per_level else " when made"
    parts = ", ".join(f"{pair} {value:+g}" for pair, value in relations.items())
    return html.escape(f" Relations: {parts} ({when.strip()}).")
