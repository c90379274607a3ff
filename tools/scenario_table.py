"""Write scenarios/README.md from the bundled scenarios and what `peninsula check` measures.

    python tools/scenario_table.py --members 1000 --seed 2024 > scenarios/README.md
"""

from __future__ import annotations

import argparse

import sim
from sim.data import SCENARIO_DIR


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    print("# The scenario library\n")
    print("Each scenario asks one question from the seed articles. It `extends: baseline` (except the baseline),")
    print("declares its own levers (what a user moves) and uncertainties (sampled per member), and states")
    print("expectations that `peninsula check` tests. The shares below are what the model answers: the share of")
    print(f"members (of {args.members:,}, seed {args.seed}) in which each expectation held, measured with\n")
    print(f"    peninsula check --members {args.members} --seed {args.seed}\n")
    print("Claims in parentheses are ids in [`seeds/evidence.yaml`](../seeds/evidence.yaml). Teaching exercises")
    print("built on these scenarios are in [`exercises/`](exercises/).\n")
    files = sorted(SCENARIO_DIR.glob("*.yaml"), key=lambda p: (p.stem != "baseline", p.stem))
    for path in files:
        sc = sim.load_scenario(path)
        print(f"## `{path.name}` — {sc.title or sc.name}\n")
        print(" ".join(sc.description.split()) + "\n")
        own_levers = [lv for lv in sc.levers]
        if own_levers:
            print("**Levers:** " + "; ".join(f"{lv.label} (`{lv.path}`, {lv.min:g} to {lv.max:g})"
                                             for lv in own_levers) + ".\n")
        if sc.uncertainties:
            print("**Uncertainties:** " + "; ".join(f"{u.label or u.path} (`{u.path}`, {u.dist})"
                                                    for u in sc.uncertainties) + ".\n")
        verdicts = sim.check(sc, members=args.members, seed=args.seed)
        print("| expectation | held in | required | verdict |")
        print("|---|---:|---:|---|")
        for v in verdicts:
            verdict = ("holds" if v.passed else "fails") + (" (expected to fail: " + v.why + ")"
                                                          if v.expected_to_fail else "")
            claims = f" ({', '.join(v.claims)})" if v.claims else ""
            print(f"| {v.text}{claims} | {v.share:.0%} | {v.required:.0%} | {verdict} |")
        print()


if __name__ == "__main__":
    main()
