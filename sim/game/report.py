"""The debrief as a report: CSV tables and one self-contained HTML page (inline CSS and SVG)."""

from __future__ import annotations

import csv
import html
import io
from typing import TYPE_CHECKING

import numpy as np

from sim.game.scoring import label
from sim.indicators import INDICATORS, format_value

if TYPE_CHECKING:  # pragma: no cover
    from sim.game.debrief import Debrief, InterestOutcome


def csv_text(rows: list[dict]) -> str:
    """Rows of dicts as CSV text (columns in order of first appearance)."""
    buf = io.StringIO()
    if rows:
        cols = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d232b;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde3ea;padding-bottom:.2rem}
.meta{color:#5a6573;font-size:.9rem}.headline{font-size:1.1rem;font-weight:600}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;width:100%}
th,td{border-bottom:1px solid #e4e8ee;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:flex;height:.8rem;width:12rem;border-radius:3px;overflow:hidden;background:#eee}
.bar span{display:block;height:100%}.b{background:#2e7d32}.t{background:#b0b7c3}.w{background:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{flex:1 1 18rem}
.chart h4{margin:.2rem 0;font-size:.9rem}svg{width:100%;height:auto;background:#fafbfc;border:1px solid #e4e8ee}
.legend{font-size:.8rem;color:#5a6573}.you{color:#1565c0}.mod{color:#6d6d6d}
details pre{white-space:pre-wrap;word-break:break-all;font-size:.7rem;background:#f6f8fa;padding:.5rem}
"""


def _svg_chart(you: np.ndarray, model: np.ndarray, dates: list[str]) -> str:
    """Median and 10-90% band over the months, player (blue) against model (grey dashed)."""
    w, h, pad_l, pad_r, pad_t, pad_b = 360, 150, 38, 8, 8, 22
    qs_y = np.percentile(you, [10, 50, 90], axis=1)
    qs_m = np.percentile(model, [10, 50, 90], axis=1)
    lo = float(min(qs_y.min(), qs_m.min()))
    hi = float(max(qs_y.max(), qs_m.max()))
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    n = you.shape[0]

    def x(i):
        return pad_l + (w - pad_l - pad_r) * (i / max(n - 1, 1))

    def y(v):
        return pad_t + (h - pad_t - pad_b) * (1 - (v - lo) / (hi - lo))

    def line(vals):
        return " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))

    def band(q):
        pts = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(q[2])]
        pts += [f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(q[0])))]
        return " ".join(pts)

    parts = [f'<svg viewBox="0 0 {w} {h}" role="img">',
             f'<polygon points="{band(qs_m)}" fill="#9e9e9e" fill-opacity="0.18"/>',
             f'<polygon points="{band(qs_y)}" fill="#1565c0" fill-opacity="0.18"/>',
             (f'<polyline points="{line(qs_m[1])}" fill="none" stroke="#6d6d6d" stroke-width="1.6" '
              'stroke-dasharray="4 3"/>'),
             f'<polyline points="{line(qs_y[1])}" fill="none" stroke="#1565c0" stroke-width="2"/>',
             f'<text x="2" y="{pad_t + 8}" font-size="9" fill="#5a6573">{hi:.2f}</text>',
             f'<text x="2" y="{h - pad_b}" font-size="9" fill="#5a6573">{lo:.2f}</text>',
             f'<text x="{pad_l}" y="{h - 6}" font-size="9" fill="#5a6573">{html.escape(dates[0])}</text>',
             (f'<text x="{w - pad_r}" y="{h - 6}" font-size="9" fill="#5a6573" text-anchor="end">'
              f'{html.escape(dates[-1])}</text>'), "</svg>"]
    return "".join(parts)


def _pct_bar(o: InterestOutcome) -> str:
    return (f'<div class="bar" title="better {o.better:.0%}, tied {o.tied:.0%}, worse {o.worse:.0%}">'
            f'<span class="b" style="width:{o.better * 100:.1f}%"></span>'
            f'<span class="t" style="width:{o.tied * 100:.1f}%"></span>'
            f'<span class="w" style="width:{o.worse * 100:.1f}%"></span></div>')


def html_report(d: Debrief) -> str:
    """The debrief as one self-contained HTML page."""
    from sim.engine.results import versions

    __version__ = versions()["peninsula-sim"]

    e = html.escape
    ex = d.exercise
    dates = d.scenario.dates()[1:d.months + 1]
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Debrief: {e(ex.title or ex.name)}</title><style>{_CSS}</style></head><body>",
           f"<h1>Debrief: {e(ex.title or ex.name)}</h1>",
           (f'<p class="meta">{d.turns_played} of {ex.turns} turns of {ex.turn_months} month(s) '
            f"({e(d.scenario.dates()[0])} to {e(d.scenario.dates()[d.months - 1])}), {d.members} worlds, "
            f"seed {d.seed}, scenario '{e(d.scenario.name)}'. Each score is an interest's average over the months "
            "played, compared world by world with the model's own play of the same state in the same worlds "
            "(same seed, same injects at the same months). Your move of a turn was made in its first month; "
            "your posture held for the rest of the turn. The model reviews its posture every few months: its "
            "main move of a turn is the move it made then, or keep where it only kept its posture.</p>")]
    for role, rd in d.roles.items():
        out.append(f"<h2>{e(rd.title)} ({e(role)})</h2>")
        out.append(f'<p class="headline">{e(rd.sentences[0])}</p>')
        out += [f"<p>{e(s)}</p>" for s in rd.sentences[1:2]]
        out.append("<table><tr><th>interest</th><th>weight</th><th>you</th><th>model</th><th>spread</th>"
                   "<th>verdict</th><th>better</th><th>tied</th><th>worse</th><th>worlds</th></tr>")
        for o in [*rd.interests, rd.overall]:
            out.append(f"<tr><td>{e(label(o.interest))}<br><small>{e(o.description)}</small></td>"
                       f'<td class="n">{o.weight:.2f}</td><td class="n">{o.player:.3f}</td>'
                       f'<td class="n">{o.model:.3f}</td><td class="n">{o.spread:.3f}</td><td>{e(o.verdict)}</td>'
                       f'<td class="n">{o.better:.0%}</td><td class="n">{o.tied:.0%}</td>'
                       f'<td class="n">{o.worse:.0%}</td><td>{_pct_bar(o)}</td></tr>')
        out.append("</table>")
        out.append('<p class="legend">Verdict: "about the same" when the difference of the average scores is no '
                   "larger than the spread across worlds (the larger standard deviation of the two scores); "
                   "better, tied and worse count the worlds one by one.</p>")
        out.append('<p class="legend">Charts: median and 10-90% band across worlds, month by month. '
                   '<span class="you">&#9644; you</span> &nbsp; <span class="mod">- - the model</span></p>'
                   '<div class="charts">')
        for name in [*(o.interest for o in rd.interests), "overall"]:
            out.append(f'<div class="chart"><h4>{e(label(name))}</h4>'
                       f"{_svg_chart(rd.player_series[name], rd.model_series[name], dates)}</div>")
        out.append("</div><h3>Indicators at the end (medians)</h3>"
                   "<table><tr><th>indicator</th><th>you</th><th>model</th></tr>")
        for row in rd.indicators:
            out.append(f"<tr><td>{e(row['indicator'])}</td>"
                       f'<td class="n">{e(format_value(row["player_median"], row["unit"]))}</td>'
                       f'<td class="n">{e(format_value(row["model_median"], row["unit"]))}</td></tr>')
        out.append("</table><h3>Timeline</h3><table><tr><th>turn</th><th>you chose</th><th>the model chose</th>"
                   "<th>what followed</th></tr>")
        for t in rd.timeline:
            if t.choice is None:
                chose = f"(the model's rule) mostly {label(t.played)} ({t.played_share:.0%})"
            elif t.choice_share < 1:
                chose = f"{label(t.choice)} (possible in {t.choice_share:.0%} of worlds; kept the posture elsewhere)"
            else:
                chose = label(t.choice)
            follow = "".join(f"<div><b>{e(n)}</b></div>" for n in t.news)
            follow += "<div>" + e("; ".join(t.others)) + "</div>"
            follow += "<div><small>" + e("; ".join(
                f"{n}: {format_value(p, INDICATORS[n].unit)} (model {format_value(m, INDICATORS[n].unit)})"
                for n, (p, m) in t.indicators.items())) + "</small></div>"
            out.append(f"<tr><td>{t.turn + 1}<br><small>{e(t.months)}</small></td><td>{e(chose)}</td>"
                       f"<td>{e(label(t.model_choice))} ({t.model_share:.0%})</td><td>{follow}</td></tr>")
        out.append("</table>")
        questions = d.questions_for(role)
        if questions:
            out.append(f'<h3>Questions for {e(rd.title)}</h3><ol class="questions">'
                       + "".join(f"<li>{e(q)}</li>" for q in questions) + "</ol>")
    if d.record is not None:
        out.append("<h2>Reproduce</h2><p class=\"meta\">This game is rebuilt exactly by "
                   "<code>sim.game.Game.replay(GameRecord.from_json(...))</code> with the record below.</p>"
                   f"<details><summary>Game record (JSON)</summary><pre>{e(d.record.to_json())}</pre></details>")
    out.append(f'<p class="meta">Peninsula {e(__version__)}.</p></body></html>')
    return "\n".join(out)
