"""Behaviour report: who does what in the baseline, why, and does it match the seed articles?

Usage::

    python bench/behaviour.py [--scenario baseline] [--members 1000] [--seed 42] [--quiet-noise]

Prints, for one scenario (default the baseline at 1,000 members):

1. the share of choices that noise decided, per actor (reason "unpredictability"), over the
   choices the actor made by its own rule (scripted and player months left out; where the
   model reviews postures on a cadence, months "between reviews" are left out too);
2. how often each instrument level (each actor's declared instruments) reverses direction: a
   change against the direction of its previous change (a flip-flop measure);
3. each actor's moves: the share of member-months on each move, with the most common reason;
4. each actor's posture over time: the median of its instrument levels every six months;
5. the seeds' figures against their targets, with the claim each comes from.

``--quiet-noise`` sets every actor's noise to 0 (the seeds' picture must hold without it).
This is a report to read as a domain expert would, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT as _ROOT  # noqa: E402,F401  (one thread per library; sim from the checkout)

import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.actors import ACTOR_CLASSES  # noqa: E402
from sim.indicators import format_value  # noqa: E402

EPS = 1e-6
"""Changes of an instrument level smaller than this count as no change."""


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="baseline", help="scenario file or bundled name (default baseline)")
    p.add_argument("--members", type=int, default=1000, help="members (default 1,000)")
    p.add_argument("--seed", type=int, default=None, help="seed (default the scenario's)")
    p.add_argument("--quiet-noise", action="store_true", help="every actor's noise set to 0")
    return p.parse_args(argv)


def instruments(code: str) -> list[str]:
    """An actor's instrument levels (indicator names)."""
    return [i.indicator for i in ACTOR_CLASSES[code].instruments]


def reversals(series: np.ndarray) -> tuple[float, float]:
    """How often a level turns back: (share of months, share of its changes), from (members, months + 1).

    A reversal is a change against the direction of the level's previous change, however many
    months of no change lie between them (a posture reviewed on a cadence changes in steps).
    """
    d = np.diff(series.astype(np.float64), axis=1)
    sign = np.sign(np.where(np.abs(d) < EPS, 0.0, d))
    turned = changes = 0
    for row in sign:
        moves = row[row != 0]
        changes += len(moves)
        turned += int((moves[1:] * moves[:-1] < 0).sum())
    return turned / sign.size, turned / max(changes, 1)


def month_of(res: sim.Results, label: str) -> int | None:
    """Index of a month label in the run, or None if it lies outside."""
    return res.dates.index(label) if label in res.dates else None


def seed_figures(res: sim.Results) -> list[tuple[str, str, str, str]]:
    """(figure, claim, target, model) rows: the seeds' figures against what the run gives (medians)."""
    rows = []

    def med(name: str, label: str) -> float | None:
        k = month_of(res, label)
        return None if k is None else float(np.median(res.indicator(name)[:, k]))

    paid = med("RUS.payments_to_dprk_usd", "2025-01")  # the state at the end of December 2024
    rows.append(("Russia has paid about $5.5 bn by the end of 2024 (+-20%)", "s000-paid-5-5bn", "$4.4 bn to $6.6 bn",
                 "outside the run" if paid is None else format_value(paid, "USD")))
    first = res.dates[0]
    start_paid = float(np.median(res.indicator("RUS.payments_to_dprk_usd")[:, 0]))
    rows.append(("... from zero where the story starts", "s000-paid-5-5bn", "$0 at the start",
                 f"{format_value(start_paid, 'USD')} in {first}"))
    shells = res.indicator("DPRK.shells_exported")[:, 1:]
    rows.append(("Deliveries (seed 003 read as ~4.8 m shells over ~16 months: ~300k a month)", "s003-4800-shells",
                 "about 300,000 a month while Russia buys",
                 f"{np.median(shells[shells > 0]) if (shells > 0).any() else 0:,.0f} a month (median of months "
                 f"with deliveries); {np.median(shells.mean(axis=1)):,.0f} on average"))
    troops = med("DPRK.troops_abroad", "2025-01")
    rows.append(("At least 10,000 soldiers by the end of 2024", "s001-troops-sent", ">= 10,000",
                 "outside the run" if troops is None else f"{troops:,.0f}"))
    pay = res.scenario.params.get("troop_pay_usd_month")
    rows.append(("Paid about $2,000 a month each", "s001-pay-2000", "$2,000",
                 f"${pay:,.0f} (params.troop_pay_usd_month)" if pay else "the default of params.troop_pay_usd_month"))
    food = res.indicator("DPRK.food_security")
    rice = res.indicator("RUS.food_aid_level")
    before = [float(np.median(food[:, k])) for k in range(food.shape[1]) if np.median(rice[:, k]) < EPS]
    rows.append(("Food security below 1 before any rice", "s001-grain-gap", "< 1",
                 f"{max(before):.2f} at most" if before else "rice from the first month"))
    share = res.indicator("DPRK.russia_trade_share")
    rows.append(("Russia's share of the DPRK's trade rising towards 40%", "s002-china-reliance",
                 "rising, towards 0.40",
                 f"{np.median(share[:, 0]):.2f} -> {np.median(share[:, -1]):.2f} (max median "
                 f"{np.median(share, axis=0).max():.2f})"))
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    scenario = sim.load_scenario(args.scenario)
    if args.quiet_noise:
        scenario = sim.with_settings(scenario, {f"{c}.unpredictability": 0.0 for c in ACTOR_CLASSES})
    members = args.members
    t0 = time.perf_counter()
    res = sim.run(scenario, members=members, seed=args.seed)
    took = time.perf_counter() - t0
    print(f"{scenario.name}: {members:,} members, seed {res.seed}, {res.dates[0]} to {res.dates[-1]}"
          f"{', every actor noise 0' if args.quiet_noise else ''} (run {took:.2f} s)\n")

    print("1. Choices decided by noise (over the choices made by the rule)")
    total_noise = total = 0
    for code in ACTOR_CLASSES:
        why = res.reasons(code)
        own = ~np.isin(why, ["scripted", "player", "between reviews"])
        noise = why == "unpredictability"
        total_noise += int(noise.sum())
        total += int(own.sum())
        print(f"   {code:5s} {noise.sum() / max(own.sum(), 1):6.1%}   ({own.sum():,} choices)")
    print(f"   all   {total_noise / max(total, 1):6.1%}   (targets: at most 15% overall, 25% for any actor)\n")

    print("2. Reversals: share of months in which an instrument level turns back (and share of its changes)")
    for code in ACTOR_CLASSES:
        for name in instruments(code):
            per_month, per_change = reversals(res.indicator(name))
            print(f"   {name:28s} {per_month:6.1%}  ({per_change:.0%} of changes)")
    print()

    print("3. Who does what: share of member-months on each move (the most common reason)")
    for code, cls in ACTOR_CLASSES.items():
        ch, why = res.choices(code), res.reasons(code)
        parts = []
        for name in cls.option_names():
            sel = ch == name
            if sel.mean() < 0.005:
                continue
            vals, counts = np.unique(why[sel], return_counts=True)
            parts.append(f"{name} {sel.mean():.0%} ({vals[np.argmax(counts)]})")
        print(f"   {code:5s} " + "; ".join(parts))
    print()

    print("4. Postures over time (median instrument levels)")
    ks = list(range(0, res.months + 1, 6))
    if ks[-1] != res.months:
        ks.append(res.months)
    print("   " + " " * 28 + "".join(f"{res.dates[k]:>9s}" for k in ks))
    for code in ACTOR_CLASSES:
        for name in instruments(code):
            med = np.median(res.indicator(name), axis=0)
            print(f"   {name:28s}" + "".join(f"{med[k]:9.2f}" for k in ks))
    print()

    print("5. The seeds' figures against their targets (medians)")
    for figure, claim, target, model in seed_figures(res):
        print(f"   {figure}\n      [{claim}] target {target}; model {model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
