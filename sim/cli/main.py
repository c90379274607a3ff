"""The ``peninsula`` command line: it mirrors the API (``sim.run`` and friends).

Every user mistake ends in one clear paragraph on stderr and exit code 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.engine import CHUNK_MEMBERS, check_seed, member_ids
from sim.errors import PeninsulaError
from sim.indicators import format_value

EXIT_USER = 2

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def parse_settings(items: Sequence[str] | None) -> dict[str, float]:
    """``["params.x=1", ...]`` -> {"params.x": 1.0}; a clear error otherwise."""
    settings: dict[str, float] = {}
    for item in items or ():
        if "=" not in item:
            raise PeninsulaError(f"expected PATH=VALUE, got {item!r} (e.g. --set params.war_intensity_target=0.2)",
                                 file="--set")
        path, _, text = item.partition("=")
        try:
            settings[path.strip()] = float(text)
        except ValueError:
            raise PeninsulaError(f"expected a number after '=', got {text!r}", file="--set",
                                 field=path.strip()) from None
    return settings


def _progress_runner(total_members: int, months: int):
    """A progress callback with a Rich bar on stderr for long runs (None for short ones)."""
    if total_members * months < 200_000 or not err.is_terminal:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(TextColumn("running"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=err, transient=True)
    task = prog.add_task("run", total=total_members * months, rate="")

    def update(done, total):
        rate = prog.tasks[0].speed
        prog.update(task, completed=done, rate=f"{rate:,.0f} member-months/s" if rate else "")

    return prog, update


def cmd_run(args) -> int:
    """``peninsula run``: run a scenario, save its results and print the key indicators."""
    import sim
    from sim.indicators import INDICATORS, KEY_INDICATORS

    scenario = sim.load_scenario(args.scenario)
    settings = parse_settings(args.set)
    if settings:
        scenario = sim.with_settings(scenario, settings)
    members = scenario.members if args.members is None else args.members
    member_ids(members, field="--members")
    seed = check_seed(scenario.seed if args.seed is None else args.seed, field="--seed")
    outdir = Path(args.out) if args.out else Path("runs") / scenario.name
    prog, update = _progress_runner(members, scenario.months)
    if prog:
        with prog:
            results = sim.run(scenario, members=members, seed=seed, progress=update)
    else:
        results = sim.run(scenario, members=members, seed=seed)
    results.settings = settings
    results.save(outdir)

    table = Table(title=f"{scenario.name}: {members:,} members, seed {seed}, at {results.dates[-1]}")
    for col in ("indicator", "unit", "median", "10%", "90%"):
        table.add_column(col, justify="right" if col not in ("indicator", "unit") else "left")
    for row in results.summary(list(KEY_INDICATORS)):
        unit = INDICATORS[row["indicator"]].unit
        table.add_row(row["indicator"], unit, format_value(row["median"], unit), format_value(row["p10"], unit),
                      format_value(row["p90"], unit))
    out.print(table)
    out.print(f"wrote {outdir}/results.parquet, choices.parquet, manifest.json")
    return 0


def _is_exercise(path: str) -> bool:
    """An exercise file names a scenario and roles (scenarios do neither)."""
    import yaml

    try:
        head = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - the scenario loader reports the problem properly
        return False
    return isinstance(head, dict) and "roles" in head and "scenario" in head


def cmd_validate(args) -> int:
    """``peninsula validate``: check scenario and exercise files; exit 2 if any is invalid."""
    import sim
    from sim.game.exercise import load_exercise

    bad = 0
    for f in args.files:
        try:
            if _is_exercise(f):
                ex = load_exercise(f)
                out.print(f"ok {f}: exercise on '{ex.scenario.name}', roles {', '.join(ex.roles)}, "
                          f"{ex.turns} turns of {ex.turn_months} months")
                continue
            sc = sim.load_scenario(f)
        except PeninsulaError as exc:
            err.print(f"invalid {exc}", markup=False)
            bad += 1
            continue
        out.print(f"ok {f}: '{sc.name}', {sc.start} for {sc.months} months, {len(sc.events)} events, "
                  f"{len(sc.levers)} levers, {len(sc.uncertainties)} uncertainties, "
                  f"{len(sc.expectations)} expectations")
    return EXIT_USER if bad else 0


def cmd_schema(args) -> int:
    """``peninsula schema``: print (or write) the JSON Schema of scenario files."""
    import sim

    text = json.dumps(sim.json_schema(), indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        out.print(f"wrote {args.out}")
    else:
        sys.stdout.write(text + "\n")
    return 0


def cmd_indicators(args) -> int:
    """``peninsula indicators``: list the indicators with their units, ranges and starting values."""
    from sim.indicators import INDICATORS

    table = Table(title="Indicators")
    for col in ("name", "unit", "range", "start", "what it measures"):
        table.add_column(col)
    for ind in INDICATORS.values():
        rng = "" if ind.low is None else f"{ind.low:g} to {ind.high:g}" if ind.high is not None else f">= {ind.low:g}"
        table.add_row(ind.name, ind.unit, rng, f"{ind.initial:g}", ind.description)
    out.print(table)
    return 0


def cmd_replay(args) -> int:
    """``peninsula replay``: re-run a saved run or batch and compare with its outputs; exit 1 if they differ."""
    import sim
    from sim.batch import FORMAT, replay_experiment
    from sim.engine.results import read_manifest

    manifest = read_manifest(args.directory)
    verdict = replay_experiment(args.directory) if manifest.get("format") == FORMAT else sim.replay(args.directory)
    ok = all(verdict.values())
    for name, same in verdict.items():
        out.print(f"{'identical' if same else 'DIFFERENT'}  {name}")
    if not ok:
        err.print("replay differs from the recorded outputs")
    return 0 if ok else 1


def cmd_scenarios(args) -> int:
    """List the bundled scenarios and exercises with their titles."""
    from sim.data import bundled_exercises, bundled_scenarios
    from sim.game.exercise import load_exercise
    from sim.scenario import load_scenario

    found = [("scenario", load_scenario(p)) for p in bundled_scenarios()]
    found += [("exercise", load_exercise(p)) for p in bundled_exercises()]
    if not found:
        from sim.data import SCENARIO_DIR

        raise PeninsulaError("no bundled scenario or exercise is installed (the package data is missing); "
                             "reinstall Peninsula", file=str(SCENARIO_DIR))
    table = Table(title="Bundled scenarios and exercises (run one by name: peninsula run NAME, peninsula play NAME)")
    for col in ("name", "kind", "title"):
        table.add_column(col)
    for kind, item in found:
        name = item.name if kind == "scenario" else Path(item.source or item.name).stem
        table.add_row(name, kind, item.title, style=None if kind == "scenario" else "cyan")
    out.print(table)
    return 0


def cmd_check(args) -> int:
    """``peninsula check``: run scenarios and test their expectations; exit 1 if any is not as declared."""
    import sim
    from sim.data import SCENARIO_DIR, bundled_scenarios

    files = args.scenarios or [str(p) for p in bundled_scenarios()]
    if not files:
        raise PeninsulaError("no scenario to check: none was named and no bundled scenario is installed "
                             "(the package data is missing); name scenario files, or reinstall Peninsula",
                             file=str(SCENARIO_DIR))
    scenarios = [sim.load_scenario(f) for f in files]  # all errors before any run
    table = Table(title=f"Expectations ({'scenario default' if args.members is None else args.members} members"
                        f"{'' if args.seed is None else f', seed {args.seed}'})")
    for col in ("scenario", "expectation", "held in", "required", "verdict"):
        table.add_column(col, justify="right" if col in ("held in", "required") else "left")
    results = []
    for sc in scenarios:
        res = sim.check(sc, members=args.members, seed=args.seed)
        if not res:
            table.add_row(sc.name, "(no expectations)", "", "", "")
        for r in res:
            results.append(r)
            verdict = ("pass" if r.passed else "fail") + (" (expected to fail)" if r.expected_to_fail else "")
            style = "green" if r.ok else "red"
            if not r.ok:
                verdict += " UNEXPECTED"
            table.add_row(r.scenario, r.text, f"{r.share:.0%}", f"{r.required:.0%}", f"[{style}]{verdict}[/{style}]")
    out.print(table)
    bad = [r for r in results if not r.ok]
    out.print(f"{len(results) - len(bad)} as declared, {len(bad)} not "
              f"({sum(r.passed for r in results)} held, {sum(not r.passed for r in results)} failed; "
              f"{sum(r.expected_to_fail for r in results)} marked expected_to_fail)")
    if args.out:
        import csv

        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["scenario", "expectation", "share", "required", "passed", "expected_to_fail", "ok"])
            for r in results:
                w.writerow([r.scenario, r.text, f"{r.share:.4f}", r.required, r.passed, r.expected_to_fail, r.ok])
    return 0 if not bad else 1


def cmd_compare(args) -> int:
    """``peninsula compare``: print B minus A for key indicators and how the choices shift."""
    import sim

    a, b = sim.load_scenario(args.a), sim.load_scenario(args.b)
    cmp = sim.compare(a, b, members=args.members, seed=args.seed, months=args.at or None,
                      indicators=args.indicator or None)
    from sim.indicators import INDICATORS

    members, seed = cmp.a.members, cmp.a.seed
    table = Table(title=f"{b.name} minus {a.name}: {members:,} members, seed {seed} (common random numbers)")
    for col in ("indicator", "month", a.name, b.name, "difference (median)", "10%", "90%"):
        table.add_column(col, justify="left" if col in ("indicator", "month") else "right")
    frame = cmp.indicator_table()
    for row in frame.itertuples(index=False):
        unit = INDICATORS[row.indicator].unit
        table.add_row(row.indicator, row.month, format_value(row.median_a, unit), format_value(row.median_b, unit),
                      format_value(row.median, unit), format_value(row.p10, unit), format_value(row.p90, unit))
    out.print(table)
    choices = cmp.choice_table()
    shift = Table(title="How the choices shift (share of member-months on each option)")
    for col in ("actor", "option", a.name, b.name, "change"):
        shift.add_column(col, justify="left" if col in ("actor", "option") else "right")
    for row in choices.itertuples(index=False):
        if max(row.share_a, row.share_b) >= 0.01:
            shift.add_row(row.actor, row.option, f"{row.share_a:.0%}", f"{row.share_b:.0%}", f"{row.change:+.0%}")
    out.print(shift)
    if args.out:
        _write_csv_atomic(args.out, frame, choices)
        out.print(f"wrote {args.out}")
    return 0


def _write_csv_atomic(path: str, frame, choices) -> None:
    """Indicator differences then choice shifts in one CSV (a 'table' column tells which)."""
    import os
    import tempfile

    import pandas as pd

    both = pd.concat([frame.assign(table="indicators"), choices.assign(table="choices")], ignore_index=True)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        both.to_csv(tmp, index=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _experiment(args, scenario, design=None, samples=None):
    """The Experiment for batch/sensitivity arguments (all checks before anything runs)."""
    from sim.batch import DEFAULT_PARTITION, Experiment, default_outcomes, make_design, parse_grid, parse_outcome

    members = args.members if args.members is not None else 1
    member_ids(members, field="--members")
    seed = check_seed(scenario.seed if args.seed is None else args.seed, field="--seed")
    grid = parse_grid(getattr(args, "grid", None) or [], scenario)
    table = make_design(scenario, grid=grid, design=design, samples=samples, seed=seed)
    outcomes = [parse_outcome(o, scenario) for o in args.outcome] if args.outcome else default_outcomes(scenario)
    if args.partition is not None and args.partition < 1:
        raise PeninsulaError("--partition must be at least 1", file="--partition")
    spec = {"grid": grid, "design": design, "samples": samples}
    return Experiment(scenario, table, members, seed, outcomes, args.partition or DEFAULT_PARTITION, spec)


def _run_batch(args, exp, run):
    """Run with an executor and a progress bar; Ctrl-C stops cleanly (completed partitions stay)."""
    from sim.batch import make_executor

    if args.chunk_size is not None and args.chunk_size < 1:
        raise PeninsulaError("--chunk-size must be at least 1", file="--chunk-size")
    executor = make_executor(args.jobs, args.dask)  # before anything is written: a bad address writes nothing
    months = exp.scenario.months
    prog = None
    if err.is_terminal and not args.quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        prog = Progress(TextColumn("partitions"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                        TimeRemainingColumn(), console=err, transient=True)
        task = prog.add_task("batch", total=exp.partitions, rate="")
        prog.start()
    import time

    t0, first = time.perf_counter(), [None]

    def progress(done, total, rows):
        if first[0] is None:
            first[0] = rows
        rate = (rows - first[0]) * months / max(time.perf_counter() - t0, 1e-9)
        if prog:
            prog.update(task, completed=done, rate=f"{rate:,.0f} member-months/s")

    try:
        return run(executor, progress)
    except KeyboardInterrupt:
        err.print(f"interrupted: completed partitions are kept; continue with the same command and --resume "
                  f"(out: {args.out})")
        raise SystemExit(130) from None
    finally:
        if prog:
            prog.stop()
        executor.close()


def cmd_batch(args) -> int:
    """``peninsula batch``: run a batch experiment over a design and write its partitions and summary."""
    import sim
    from sim.batch import run_experiment

    scenario = sim.load_scenario(args.scenario)
    if args.design is not None and args.samples is None:
        raise PeninsulaError("--design needs --samples K", file="--samples")
    exp = _experiment(args, scenario, args.design, args.samples)
    outdir = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-batch"
    chunk = args.chunk_size
    _run_batch(args, exp, lambda ex, pr: run_experiment(exp, outdir, executor=ex, chunk_size=chunk,
                                                         resume=args.resume, progress=pr))
    _print_summary(exp, outdir)
    out.print(f"{len(exp.design):,} design points x {exp.members:,} members = {exp.rows:,} member-runs; wrote "
              f"{outdir}/ (results/part-*.parquet, design.csv, summary.csv, manifest.json)")
    return 0


def _print_summary(exp, directory: Path) -> None:
    import pandas as pd

    summary = pd.read_csv(directory / "summary.csv")
    medians = [c for c in summary.columns if c.endswith(":median")][:6]
    varied = [c for c in exp.design.columns if c != "point"]
    table = Table(title="Median outcome per design point (first 20; all of them in summary.csv)")
    for c in ["point", *varied, *medians]:
        table.add_column(c.removesuffix(":median"), justify="right")
    for _, row in summary.head(20).iterrows():
        table.add_row(*(f"{row[c]:.4g}" if c != "point" else str(int(row[c])) for c in ["point", *varied, *medians]))
    out.print(table)


def cmd_sensitivity(args) -> int:
    """``peninsula sensitivity``: run a SALib design and print the sensitivity indices per outcome."""
    import sim
    from sim.batch import check_method, sensitivity

    scenario = sim.load_scenario(args.scenario)
    method = check_method(args.method)
    if not args.outcome:
        raise PeninsulaError("give at least one --outcome INDICATOR[@YYYY-MM]", file="--outcome")
    args.grid = None
    exp = _experiment(args, scenario, method, args.samples)
    outdir = Path(args.out) if args.out else Path("runs") / f"{scenario.name}-{method}"
    chunk = args.chunk_size
    table = _run_batch(args, exp, lambda ex, pr: sensitivity(exp, outdir, method, executor=ex, chunk_size=chunk,
                                                               resume=args.resume, progress=pr))
    keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma")
    for outcome, block in table.groupby("outcome", sort=False):
        t = Table(title=f"{method} indices for {outcome} ({len(exp.design):,} points x {exp.members} members, "
                        f"seed {exp.seed})")
        for c in ("rank", "factor", *keys):
            t.add_column(c, justify="left" if c == "factor" else "right")
        for row in block.itertuples(index=False):
            d = row._asdict()
            t.add_row(str(d["rank"]), d["factor"], *(f"{d[k]:.3f}" for k in keys))
        out.print(t)
    out.print(f"wrote {outdir}/sensitivity.csv and the runs behind it")
    return 0


def dashboard_app() -> Path:
    """The dashboard's Streamlit script, ``dashboard/app.py``, as installed beside ``sim``."""
    import importlib.util

    spec = importlib.util.find_spec("dashboard")
    app = Path(spec.origin).parent / "app.py" if spec and spec.origin else None
    if app is None or not app.is_file():
        raise PeninsulaError("the dashboard is not in this installation (dashboard/app.py is missing); "
                             "reinstall Peninsula (pip install .)", field="dashboard")
    return app


def cmd_dashboard(args) -> int:
    """Start the Streamlit dashboard (headless) and open it in the browser once it answers."""
    import subprocess

    app = dashboard_app()
    # Always headless: a non-headless Streamlit asks a first-time user for an e-mail address on the terminal
    # (and stops when there is no terminal). The browser is opened here instead, once the server answers.
    # The settings of the checkout's .streamlit/config.toml go as flags, so an installed copy has them too;
    # the server runs in the user's folder, where 'runs/' is.
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--server.address", args.address, "--browser.gatherUsageStats", "false", "--server.headless", "true",
           "--client.toolbarMode", "minimal"]
    url = f"http://{args.address}:{args.port}"
    out.print(f"Peninsula dashboard on {url} (Ctrl-C to stop)")
    proc = subprocess.Popen(cmd)
    if not args.no_browser:
        threading.Thread(target=_open_when_up, args=(url, proc), daemon=True).start()
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait()
        return 0


def _open_when_up(url: str, proc, timeout: float = 60.0) -> None:
    """Open the dashboard in the user's browser once its server answers its health check."""
    import time
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                up = r.read().strip() == b"ok"
        except OSError:  # not listening yet
            up = False
        if up:
            webbrowser.open(url)
            return
        time.sleep(0.3)


def build_parser() -> argparse.ArgumentParser:
    """The ``peninsula`` argument parser, with a subcommand for each verb."""
    parser = argparse.ArgumentParser(
        prog="peninsula",
        description="Peninsula: a stakeholder simulation of the Russia-DPRK partnership and its neighbours.")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario and save its results",
                       description="Run a scenario; write results.parquet, choices.parquet and manifest.json.")
    p.add_argument("scenario", help="scenario file (or the name of a bundled one, e.g. baseline)")
    p.add_argument("--members", type=int, help="ensemble size (default: the scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    p.add_argument("--out", help="output folder (default: runs/SCENARIO_NAME)")
    p.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="set a parameter, e.g. params.war_intensity_target=0.2 (repeatable)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files")
    p.add_argument("files", nargs="+", help="scenario files")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("indicators", help="list the indicators with their units")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("scenarios", help="list the bundled scenarios and exercises with their titles")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("check", help="run scenarios and test their expectations",
                       description="Run scenarios (all bundled ones by default) and test their expectations. "
                                   "Exit 0 only if every expectation holds, or fails where marked expected_to_fail.")
    p.add_argument("scenarios", nargs="*", help="scenario files (default: every bundled scenario)")
    p.add_argument("--members", type=int, help="ensemble size (default: each scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: each scenario's)")
    p.add_argument("--out", help="also write the table as CSV")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("compare", help="compare two scenarios member by member",
                       description="Run A and B with the same members and seed (common random numbers) and "
                                   "show B minus A for key indicators, and how each actor's choices shift.")
    p.add_argument("a", help="scenario A (file or bundled name)")
    p.add_argument("b", help="scenario B")
    p.add_argument("--members", type=int, help="ensemble size (default: A's)")
    p.add_argument("--seed", type=int, help="seed (default: A's)")
    p.add_argument("--at", action="append", metavar="YYYY-MM", help="a month to compare at (repeatable)")
    p.add_argument("--indicator", action="append", metavar="NAME", help="an indicator (repeatable)")
    p.add_argument("--out", help="write the tables as CSV")
    p.set_defaults(func=cmd_compare)

    def batch_options(p):
        p.add_argument("--members", type=int, help="members (replicates) per design point (default 1)")
        p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
        p.add_argument("--outcome", action="append", metavar="INDICATOR[@YYYY-MM]",
                       help="an outcome to record (repeatable; default: key indicators at the horizon)")
        p.add_argument("--jobs", type=int, help="local worker processes")
        p.add_argument("--dask", metavar="local:N|tcp://HOST:PORT", help="run on a Dask cluster")
        p.add_argument("--chunk-size", type=int, help=f"members per vectorised pass (memory; default {CHUNK_MEMBERS:,})")
        p.add_argument("--partition", type=int, help="rows per output file (default 50,000)")
        p.add_argument("--resume", action="store_true", help="continue an interrupted experiment in --out")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("batch", help="run a designed experiment (grid, LHS, Sobol, Morris) over many members",
                       description="Run a design over a scenario's levers and uncertainties; write partitioned "
                                   "Parquet results, the design table, a summary per design point and a manifest.")
    p.add_argument("scenario", help="scenario file (or bundled name)")
    p.add_argument("--grid", action="append", metavar="PATH=v1,v2,...", help="full factorial over values (repeatable)")
    p.add_argument("--design", choices=("lhs", "sobol", "morris"), help="sample the declared ranges with SALib")
    p.add_argument("--samples", type=int, help="SALib base sample size K")
    p.add_argument("--out", help="output folder (default runs/SCENARIO-batch)")
    batch_options(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("sensitivity", help="sensitivity indices (SALib Sobol' or Morris) for outcomes",
                       description="Sample the scenario's levers and uncertainties with SALib, run every point, "
                                   "and rank the factors by their sensitivity indices (with confidence intervals).")
    p.add_argument("scenario", help="scenario file (or bundled name)")
    p.add_argument("--method", required=True, help="sobol or morris")
    p.add_argument("--samples", type=int, default=64, help="SALib base sample size (default 64)")
    p.add_argument("--out", help="output folder (default runs/SCENARIO-METHOD)")
    batch_options(p)
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("dashboard", help="open the dashboard in a browser (Streamlit)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=cmd_dashboard)

    from sim.cli.play import add_parser as add_play_parser

    add_play_parser(sub)

    p = sub.add_parser("replay", help="re-run a saved run and check its outputs are byte-identical")
    p.add_argument("directory", help="a folder written by 'peninsula run'")
    p.set_defaults(func=cmd_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``peninsula`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PeninsulaError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_USER
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
