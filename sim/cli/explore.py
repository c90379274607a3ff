"""``peninsula discover`` and ``peninsula robust``: what to make of an experiment after the runs.

    peninsula discover DIR --outcome IND[@YYYY-MM] (--where '< 0.6' | --top 10% | --bottom 10%)
                           [--method prim|cart] [--statistic mean] [--policy NAME] [--out DIR2]
    peninsula robust DIR --outcome IND[@YYYY-MM] [--maximise|--minimise] [--satisfice '>= 0.7']
                         [--rank-by regret] [--out DIR2]

Both read a folder written by ``peninsula batch`` and call the Python API
(:func:`sim.batch.discover.discover`, :func:`sim.batch.robust.robust`); they print a table and
write CSV, HTML (Plotly) and PNG (matplotlib) into ``--out`` (default: a folder inside the
experiment's, named after the outcome). Everything is checked and computed before anything is
written, and the files are written under temporary names and renamed together: a mistake writes
nothing.

Registered in ``sim/cli/main.py`` through :func:`add_parsers`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from sim.batch.discover import METHODS, STATISTICS, discover, number
from sim.batch.robust import RANK_BY, robust
from sim.cli.main import check_out, out


def add_parsers(subparsers) -> None:
    """Add the ``discover`` and ``robust`` sub-commands (with their ``func``) to the ``peninsula`` parser."""
    p = subparsers.add_parser(
        "discover", help="scenario discovery (PRIM or CART) on an experiment's outcome",
        description="Find the boxes of the factor space (ranges of the design's levers and uncertainties) where "
                    "an outcome of interest happens, with EMA Workbench's PRIM or scikit-learn's CART. The cases "
                    "are the design points, each with its outcome over its members (the mean by default). Prints "
                    "the boxes (coverage, density, mass, restricted dimensions) and writes boxes.csv, "
                    "trajectory.csv, discover.html, trajectory.png and box.png.")
    p.add_argument("directory", help="an experiment folder written by 'peninsula batch'")
    p.add_argument("--outcome", required=True, metavar="INDICATOR[@YYYY-MM]",
                   help="an outcome the experiment recorded (without a month: the horizon)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--where", metavar="'OP NUMBER'", help="points of interest: the outcome meets this, e.g. '< 0.6'")
    which.add_argument("--top", metavar="SHARE%", help="points of interest: the highest outcomes, e.g. 10%%")
    which.add_argument("--bottom", metavar="SHARE%", help="points of interest: the lowest outcomes, e.g. 10%%")
    p.add_argument("--method", choices=METHODS, default="prim", help="prim (default) or cart")
    p.add_argument("--statistic", choices=STATISTICS, default="mean",
                   help="a point's outcome over its members (default mean)")
    p.add_argument("--policy", metavar="NAME", help="only this policy's points (a policies x scenarios design)")
    p.add_argument("--threshold", type=float, default=0.8,
                   help="PRIM: the density a box must reach (default 0.8)")
    p.add_argument("--mass-min", type=float, default=0.05, help="the least share of the points in a box (default 0.05)")
    p.add_argument("--max-boxes", type=int, default=3, help="PRIM: the most boxes to find (default 3)")
    p.add_argument("--out", metavar="DIR2", help="output folder (default DIR/discover-OUTCOME-METHOD)")
    p.set_defaults(func=cmd_discover)

    p = subparsers.add_parser(
        "robust", help="rank an experiment's policies by robustness over its scenarios",
        description="Score every policy of a policies x scenarios experiment over the scenarios: mean, median, "
                    "10th and 90th percentile, maximum regret against the best policy in each scenario, and the "
                    "share of scenarios that meet --satisfice. Prints the ranked table and writes robustness.csv, "
                    "scenarios.csv, robustness.html and robustness.png.")
    p.add_argument("directory", help="an experiment folder written by 'peninsula batch'")
    p.add_argument("--outcome", required=True, metavar="INDICATOR[@YYYY-MM]",
                   help="an outcome the experiment recorded (without a month: the horizon)")
    way = p.add_mutually_exclusive_group()
    way.add_argument("--maximise", dest="maximise", action="store_true", default=True,
                     help="more is better (the default)")
    way.add_argument("--minimise", dest="maximise", action="store_false", help="less is better")
    p.add_argument("--satisfice", metavar="'OP NUMBER'", help="a criterion to meet, e.g. '>= 0.7'")
    p.add_argument("--statistic", choices=STATISTICS, default="mean",
                   help="a point's outcome over its members (default mean)")
    p.add_argument("--rank-by", choices=RANK_BY, default="regret",
                   help="regret (least maximum regret first, the default), a statistic, or satisficing")
    p.add_argument("--out", metavar="DIR2", help="output folder (default DIR/robust-OUTCOME)")
    p.set_defaults(func=cmd_robust)


def _out_dir(args, default: str) -> Path:
    return check_out(Path(args.out) if args.out else Path(args.directory) / default)


def cmd_discover(args: argparse.Namespace) -> int:
    """``peninsula discover``: print the boxes and write their tables and charts."""
    if args.out:
        check_out(args.out)
    found = discover(args.directory, args.outcome, where=args.where, top=args.top, bottom=args.bottom,
                     method=args.method, statistic=args.statistic, policy=args.policy, threshold=args.threshold,
                     mass_min=args.mass_min, max_boxes=args.max_boxes)
    folder = _out_dir(args, f"discover-{found.outcome}-{found.method}")
    table = Table(title=found.title)
    for col in ("box", "coverage", "density", "mass", "points", "restricted dimensions (ranges)"):
        table.add_column(col, justify="left" if col.startswith("restricted") else "right")
    for b in found.boxes:
        table.add_row(str(b.number), f"{b.coverage:.3f}", f"{b.density:.3f}", f"{b.mass:.3f}", f"{b.points:,}",
                      "\n".join(b.restrictions()) or "(none)")
    out.print(table, markup=False)
    if not found.boxes:
        hint = "a lower --threshold" if found.method == "prim" else "a smaller --mass-min"
        out.print(f"{found.method.upper()} found no box where the points of interest are the majority enough; "
                  f"try {hint}, or another --where")
    written = found.save(folder)
    out.print(f"wrote {folder}/ ({', '.join(p.name for p in written)})", markup=False)
    return 0


def cmd_robust(args: argparse.Namespace) -> int:
    """``peninsula robust``: print the ranked policies and write the table and chart."""
    if args.out:
        check_out(args.out)
    res = robust(args.directory, args.outcome, maximise=args.maximise, satisfice=args.satisfice,
                 statistic=args.statistic, rank_by=args.rank_by)
    folder = _out_dir(args, f"robust-{res.outcome}")
    table = Table(title=res.title)
    levers = [c for c in res.table.columns if "." in c][:3]
    cols = ["rank", "policy", *levers, "mean", "median", "p10", "p90", "max_regret"]
    if res.criterion is not None:
        cols.append("satisficing")
    for c in cols:
        table.add_column({"max_regret": "max regret", "satisficing": f"share {res.criterion.text}"
                          if res.criterion else ""}.get(c, c), justify="left" if c == "policy" else "right")
    for row in res.table.to_dict("records"):
        cells = []
        for c in cols:
            v = row[c]
            if c in ("rank", "policy"):
                cells.append(str(v))
            elif c == "satisficing":
                cells.append(f"{v:.0%}")
            else:
                cells.append(number(float(v)))
        table.add_row(*cells)
    out.print(table, markup=False)
    if len(res.table) == 1:
        out.print("(one policy: its regret is 0; a policies x scenarios design, 'peninsula batch --policies K "
                  "--scenarios N', compares several)")
    written = res.save(folder)
    out.print(f"wrote {folder}/ ({', '.join(p.name for p in written)})", markup=False)
    return 0
