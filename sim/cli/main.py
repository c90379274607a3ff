"""The ``peninsula`` command line: it mirrors the API (``sim.run`` and friends).

Every user mistake ends in one clear paragraph on stderr and exit code 2; no traceback. That
includes a mistyped option (argparse's usage errors are one paragraph too), a ``--members``
that is not a whole number or is above the scenario schema's maximum, an output folder that
cannot be written (checked before anything runs), an output folder that already holds results
(``--overwrite`` replaces them), and a dashboard port that is taken or an address that is not
this machine's (checked before Streamlit starts). ``peninsula dashboard`` passes SIGINT,
SIGTERM and SIGHUP on to Streamlit, waits for it (then kills it) and exits; Streamlit also dies
with it if it is killed outright (Linux).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.engine import CHUNK_MEMBERS, MAX_MEMBERS, check_seed, member_ids
from sim.errors import PeninsulaError
from sim.indicators import format_value

EXIT_USER = 2
STOP_SECONDS = 10.0
"""How long ``peninsula dashboard`` waits for Streamlit to stop after passing on a signal, before killing it."""

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class UsageError(Exception):
    """A command line argparse cannot parse (reported as one paragraph, exit 2)."""


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one paragraph (``error: option --x: ...``), not a usage block."""

    def error(self, message: str):
        """Raise :class:`UsageError` instead of printing the usage and exiting."""
        message = re.sub(r"^argument (-[-\w]+)(/-[-\w]+)*: ", r"option \1: ", message)
        raise UsageError(f"{message} (see '{self.prog} --help')")


def members_arg(text: str) -> int:
    """``--members``: a whole number, parsed from the text.

    Its range is checked by :func:`sim.engine.member_ids`, the one check of members, before anything is allocated.
    """
    t = text.strip()
    if not re.fullmatch(r"[+-]?\d+(_\d+)*", t) or len(t) > 30:
        raise argparse.ArgumentTypeError(f"expected a whole number of members (1 to {MAX_MEMBERS:,}), got {text[:40]!r}")
    n = int(t)
    if not 1 <= n <= MAX_MEMBERS:
        try:
            member_ids(n, field="--members")
        except PeninsulaError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
    return n


def check_out(path: str | Path, option: str = "--out", *, folder: bool = True) -> Path:
    """Refuse, before anything runs, an output path that cannot be written (one paragraph naming it).

    ``folder``: the path is an output folder (else an output file). Nothing is created: a probe
    file is made in the nearest folder that exists, and removed.
    """
    import tempfile

    path = Path(path)
    if path.exists() and folder and not path.is_dir():
        raise PeninsulaError(f"exists and is not a folder; choose another {option}", file=str(path))
    if path.is_dir() and not folder:
        raise PeninsulaError(f"is a folder; {option} takes a file name", file=str(path))
    probe = path if folder and path.is_dir() else path.parent
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise PeninsulaError(f"cannot be written: {probe} is a file, not a folder; choose another {option}",
                             file=str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".peninsula-probe-", dir=probe)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise PeninsulaError(f"cannot be written: no file can be created in {probe} ({exc.strerror}); choose "
                             f"another {option}", file=str(path)) from None
    return path


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
    members = scenario.members if args.members is None else args.members  # both checked already
    seed = check_seed(scenario.seed if args.seed is None else args.seed, field="--seed")
    outdir = Path(args.out) if args.out else Path("runs") / scenario.name
    _check_run_out(outdir, args.overwrite)
    prog, update = _progress_runner(members, scenario.months)
    if prog:
        with prog:
            results = sim.run(scenario, members=members, seed=seed, progress=update)
    else:
        results = sim.run(scenario, members=members, seed=seed)
    results.settings = settings
    results.save(outdir, overwrite=True)  # checked above: empty, new, or an earlier run with --overwrite

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


def _check_run_out(outdir: Path, overwrite: bool) -> None:
    """``run --out``: a new or empty folder, or an earlier run with ``--overwrite``; writable."""
    from sim.engine.results import MANIFEST_FILE

    check_out(outdir)
    if outdir.is_dir() and any(outdir.iterdir()):
        if not (outdir / MANIFEST_FILE).is_file():
            raise PeninsulaError("the folder is not empty and does not hold a Peninsula run; refusing to replace "
                                 "it (choose another --out or empty it)", file=str(outdir))
        if not overwrite:
            raise PeninsulaError("the folder already holds a run; add --overwrite to replace it, or choose another "
                                 "--out", file=str(outdir))


def _is_exercise(path: str) -> bool:
    """An exercise file names a scenario and roles (scenarios do neither)."""
    from sim.scenario.files import read_file  # checks the file's type and size before reading it

    try:
        head = read_file(Path(path)).data
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
        check_out(args.out, folder=False)
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


def cmd_explain(args) -> int:
    """``peninsula explain``: why an actor made its move in one month of one world."""
    import sim

    out.print(sim.explain(args.scenario, args.actor.upper(), args.month, member=args.member, seed=args.seed).text(),
              markup=False, highlight=False)
    return 0


def cmd_replay(args) -> int:
    """``peninsula replay``: re-run a saved run or batch and compare with its outputs; exit 1 if they differ."""
    import sim
    from sim.batch.partitions import FORMAT, OLD_FORMATS, replay_experiment
    from sim.engine.results import MANIFEST_FILE, RUN_FORMAT, read_manifest

    manifest = read_manifest(args.directory)
    fmt = manifest.get("format")
    if fmt == FORMAT or fmt in OLD_FORMATS:
        verdict = replay_experiment(args.directory)
    elif fmt == RUN_FORMAT:
        verdict = sim.replay(args.directory)
    else:
        raise PeninsulaError(f"field 'format': expected {RUN_FORMAT!r} (a run) or {FORMAT!r} (an experiment), "
                             f"got {str(fmt)[:40]!r}", file=str(Path(args.directory) / MANIFEST_FILE))
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
    if args.out:
        check_out(args.out, folder=False)
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
        import io

        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["scenario", "expectation", "share", "required", "passed", "expected_to_fail", "ok"])
        for r in results:
            w.writerow([r.scenario, r.text, f"{r.share:.4f}", r.required, r.passed, r.expected_to_fail, r.ok])
        _write_text_atomic(args.out, buf.getvalue())
    return 0 if not bad else 1


def cmd_compare(args) -> int:
    """``peninsula compare``: print B minus A for key indicators and how the choices shift."""
    import sim

    a, b = sim.load_scenario(args.a), sim.load_scenario(args.b)
    if args.out:
        check_out(args.out, folder=False)
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


def _write_text_atomic(path: str | Path, text: str) -> None:
    """Write a text file atomically (:func:`sim.engine.results.write_text_atomic`), its folder made if need be."""
    from sim.engine.results import write_text_atomic

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, text)


def _write_csv_atomic(path: str, frame, choices) -> None:
    """Indicator differences then choice shifts in one CSV (a 'table' column tells which)."""
    import pandas as pd

    both = pd.concat([frame.assign(table="indicators"), choices.assign(table="choices")], ignore_index=True)
    _write_text_atomic(path, both.to_csv(index=False))


def _experiment(args, scenario, design=None, samples=None):
    """The Experiment for batch/sensitivity arguments (all checks before anything runs: :func:`sim.batch.build`)."""
    from sim.batch import build

    default = scenario.members if args.command == "batch" else 1
    members = args.members if args.members is not None else default  # both checked already
    if args.resume and args.overwrite:
        raise PeninsulaError("give --resume (continue the experiment in --out) or --overwrite (start it afresh), "
                             "not both")
    if args.partition is not None and args.partition < 1:
        raise PeninsulaError(f"expected at least 1 row per partition, got {args.partition}", field="--partition")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise PeninsulaError(f"expected at least 1 member per pass, got {args.chunk_size}", field="--chunk-size")
    seed = check_seed(scenario.seed if args.seed is None else args.seed, field="--seed")
    return build(scenario, members=members, seed=seed, outcomes=args.outcome, grid=getattr(args, "grid", None),
                 design=design, samples=samples, policies=getattr(args, "policies", None),
                 scenarios=getattr(args, "scenarios", None), policy=getattr(args, "policy", None),
                 factors=getattr(args, "factors", None), design_file=getattr(args, "design_file", None),
                 partition=args.partition, series=args.command == "batch")


def _run_batch(args, exp, run):
    """Run with an executor and a progress bar; Ctrl-C stops cleanly (completed partitions stay)."""
    from sim.batch import make_executor

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
        raise PeninsulaError("--design needs --samples K (the SALib base sample size)")
    exp = _experiment(args, scenario, args.design, args.samples)
    outdir = check_out(Path(args.out) if args.out else Path("runs") / f"{scenario.name}-batch")
    chunk = args.chunk_size
    _run_batch(args, exp, lambda ex, pr: run_experiment(exp, outdir, executor=ex, chunk_size=chunk,
                                                         resume=args.resume, overwrite=args.overwrite, progress=pr))
    _print_summary(exp, outdir)
    what = f"{len(exp.design):,} design points"
    if "policy" in exp.design.columns:
        what = (f"{exp.design['policy'].nunique():,} policies x {exp.design['scenario'].nunique():,} scenarios = "
                f"{what}")
    out.print(f"{what} x {exp.members:,} members = {exp.rows:,} member-runs; wrote {outdir}/ (results/part-*.parquet, "
              f"design.csv, summary.csv{', series.csv' if exp.has_series else ''}, manifest.json)")
    return 0


def _print_summary(exp, directory: Path) -> None:
    import pandas as pd

    summary = pd.read_csv(directory / "summary.csv", dtype={"policy": str})
    horizon = exp.scenario.dates()[-1]
    shown = [f"{o.indicator}@{horizon}" if o.series else o.column for o in exp.outcomes][:6]
    labels = [c for c in ("policy", "scenario") if c in exp.design.columns]
    varied = [c for c in exp.paths][: max(0, 8 - len(shown))]
    table = Table(title="Median outcome per design point (first 20; all of them in summary.csv"
                        f"{', whole series in series.csv' if exp.has_series else ''})")
    for c in ["point", *labels, *varied, *shown]:
        table.add_column(c, justify="left" if c == "policy" else "right")

    def cell(row, c):
        if c in ("point", "scenario"):
            return str(int(row[c]))
        if c == "policy":
            return str(row[c])
        return f"{row[c if c in varied else f'{c}:median']:.4g}"

    for _, row in summary.head(20).iterrows():
        table.add_row(*(cell(row, c) for c in ["point", *labels, *varied, *shown]))
    out.print(table)


def cmd_sensitivity(args) -> int:
    """``peninsula sensitivity``: run a SALib design and print the sensitivity indices per outcome."""
    import sim
    from sim.batch import check_method, sensitivity
    from sim.batch.partitions import clear_experiment

    scenario = sim.load_scenario(args.scenario)
    method = check_method(args.method)
    if not args.outcome:
        raise PeninsulaError("give at least one INDICATOR[@YYYY-MM]", field="--outcome")
    args.grid = None
    exp = _experiment(args, scenario, method, args.samples)
    outdir = check_out(Path(args.out) if args.out else Path("runs") / f"{scenario.name}-{method}")
    chunk = args.chunk_size

    def run(ex, pr):
        if args.overwrite:
            clear_experiment(outdir)
        return sensitivity(exp, outdir, method, executor=ex, chunk_size=chunk, resume=args.resume, progress=pr)

    table = _run_batch(args, exp, run)
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


def check_listen(address: str, port: int) -> None:
    """Refuse, before Streamlit starts, a port out of range or taken, or an address not of this machine."""
    import errno
    import socket

    if not 1 <= port <= 65535:
        raise PeninsulaError(f"expected a port from 1 to 65535, got {port}", field="--port")
    hint = "use 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every network interface)"
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PeninsulaError(f"{address!r} is not an address to listen on ({reason}); {hint}",
                             field="--address") from None
    family, kind, proto, _, sockaddr = infos[0]
    try:
        with socket.socket(family, kind, proto) as s:
            if os.name != "nt":  # as the server will; a port in TIME_WAIT is not taken
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(sockaddr)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PeninsulaError(f"port {port} on {address} is already in use (is a dashboard running there "
                                 "already?); stop what uses it or choose another port", field="--port") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise PeninsulaError(f"{address!r} is not an address of this machine; {hint}", field="--address") from None
        if exc.errno == errno.EACCES:
            raise PeninsulaError(f"not allowed to listen on port {port} (ports below 1024 need privileges); choose "
                                 "another port", field="--port") from None
        raise PeninsulaError(f"cannot listen on {address} port {port} ({exc.strerror})", field="--port") from None


def cmd_dashboard(args) -> int:
    """Start the Streamlit dashboard (headless) and open it in the browser once it answers.

    The port and address are checked first. SIGINT (Ctrl-C), SIGTERM and SIGHUP are passed on to
    Streamlit; it gets :data:`STOP_SECONDS` to stop before it is killed, and then this exits (0).
    On Linux Streamlit also gets SIGTERM if this process dies without passing anything on (SIGKILL).
    """
    import signal
    import subprocess

    from sim.batch.executors import die_with_parent

    app = dashboard_app()
    check_listen(args.address, args.port)
    # Always headless: a non-headless Streamlit asks a first-time user for an e-mail address on the terminal
    # (and stops when there is no terminal). The browser is opened here instead, once the server answers.
    # The settings of the checkout's .streamlit/config.toml go as flags, so an installed copy has them too;
    # the server runs in the user's folder, where 'runs/' is.
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
           "--server.address", args.address, "--browser.gatherUsageStats", "false", "--server.headless", "true",
           "--client.toolbarMode", "minimal"]
    host = f"[{args.address}]" if ":" in args.address else args.address
    url = f"http://{host}:{args.port}"
    out.print(f"Peninsula dashboard on {url} (Ctrl-C to stop)")
    arm = die_with_parent(os.getpid(), signal.SIGTERM) if sys.platform.startswith("linux") else None
    proc = subprocess.Popen(cmd, preexec_fn=arm)  # noqa: PLW1509 - no other thread runs yet
    stopping: list[int] = []

    def kill_if_still_running() -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # it stopped in the meantime
                proc.kill()

    def forward(signum, _frame) -> None:
        if not stopping:
            stopping.append(signum)
            timer = threading.Timer(STOP_SECONDS, kill_if_still_running)
            timer.daemon = True
            timer.start()
        with contextlib.suppress(ProcessLookupError):  # it stopped in the meantime
            proc.send_signal(signal.SIGTERM if signum == getattr(signal, "SIGHUP", None) else signum)

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    previous = {sig: signal.signal(sig, forward) for sig in (getattr(signal, n) for n in names if hasattr(signal, n))}
    try:
        if not args.no_browser:
            threading.Thread(target=_open_when_up, args=(url, proc), daemon=True).start()
        code = proc.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:  # an error here: do not leave the server behind
            proc.terminate()
            try:
                proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return 0 if stopping else code


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
    parser = Parser(
        prog="peninsula",
        description="Peninsula: a stakeholder simulation of the Russia-DPRK partnership and its neighbours.")
    parser.add_argument("--version", action="version", version="%(prog)s 0.1.0")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario and save its results",
                       description="Run a scenario; write results.parquet, choices.parquet and manifest.json.")
    p.add_argument("scenario", help="scenario file (or the name of a bundled one, e.g. baseline)")
    p.add_argument("--members", type=members_arg, help="ensemble size (default: the scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    p.add_argument("--out", help="output folder (default: runs/SCENARIO_NAME)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run in --out (refused without it)")
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
    p.add_argument("--members", type=members_arg, help="ensemble size (default: each scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: each scenario's)")
    p.add_argument("--out", help="also write the table as CSV")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("compare", help="compare two scenarios member by member",
                       description="Run A and B with the same members and seed (common random numbers) and "
                                   "show B minus A for key indicators, and how each actor's choices shift.")
    p.add_argument("a", help="scenario A (file or bundled name)")
    p.add_argument("b", help="scenario B")
    p.add_argument("--members", type=members_arg, help="ensemble size (default: A's)")
    p.add_argument("--seed", type=int, help="seed (default: A's)")
    p.add_argument("--at", action="append", metavar="YYYY-MM", help="a month to compare at (repeatable)")
    p.add_argument("--indicator", action="append", metavar="NAME", help="an indicator (repeatable)")
    p.add_argument("--out", help="write the tables as CSV")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("explain", help="why an actor made its move in one month of one world",
                       description="Replay one world of a scenario to a month and print the actor's scorecard "
                                   "of moves (the look-ahead the model used), what it did and why.")
    p.add_argument("scenario", help="scenario file or bundled name")
    p.add_argument("--actor", required=True, help="DPRK, RUS, CHN, USA, ROK, JPN or UKR")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="the month of the move")
    p.add_argument("--member", type=int, default=0, help="which world, by its id (default 0)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    p.set_defaults(func=cmd_explain)

    def batch_options(p, members_default, series=True):
        p.add_argument("--members", type=members_arg,
                       help=f"members (replicates) per design point (default: {members_default})")
        p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
        p.add_argument("--outcome", action="append", metavar="INDICATOR[@YYYY-MM]",
                       help=("an outcome to record: INDICATOR@YYYY-MM, or INDICATOR for the whole monthly series "
                             if series else "an outcome to record: INDICATOR@YYYY-MM, or INDICATOR at the horizon ")
                       + "(repeatable; default: key indicators at the horizon)")
        p.add_argument("--jobs", type=int, help="local worker processes")
        p.add_argument("--dask", metavar="local:N|tcp://HOST:PORT", help="run on a Dask cluster")
        p.add_argument("--chunk-size", type=int, help=f"members per vectorised pass (memory; default {CHUNK_MEMBERS:,})")
        p.add_argument("--partition", type=int, help="rows per output file (default 50,000)")
        p.add_argument("--resume", action="store_true",
                       help="continue an interrupted experiment in --out (parts whose files do not have the SHA-256 "
                            "and rows the manifest records are computed again)")
        p.add_argument("--overwrite", action="store_true",
                       help="remove an earlier experiment in --out and start afresh (refused without it or --resume)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("batch", help="run a designed experiment (grid, LHS, Sobol, Morris, policies x scenarios)",
                       description="Run a design over a scenario's levers (policies) and uncertainties (scenarios); "
                                   "write partitioned Parquet results, the design table, a summary per design point "
                                   "and a manifest. Every policy meets the same scenarios and the same random "
                                   "streams (common random numbers).")
    p.add_argument("scenario", help="scenario file (or bundled name)")
    p.add_argument("--grid", action="append", metavar="PATH=v1,v2,...", help="full factorial over values (repeatable)")
    p.add_argument("--design", choices=("lhs", "sobol", "morris"), help="sample the declared ranges with SALib")
    p.add_argument("--samples", type=int, help="SALib base sample size K")
    p.add_argument("--policies", type=int, metavar="K",
                   help="sample K lever settings (Latin hypercube) and run each under every scenario")
    p.add_argument("--scenarios", type=int, metavar="N",
                   help="sample N uncertainty settings (Latin hypercube, as declared) for every policy")
    p.add_argument("--policy", action="append", metavar="NAME=PATH:VALUE,...",
                   help="a hand-made policy; levers it does not name stay at their defaults (repeatable)")
    p.add_argument("--factors", metavar="PATH,...", help="vary only these levers and uncertainties (the rest stay at "
                                                         "their defaults; uncertainties are then drawn per member)")
    p.add_argument("--design-file", metavar="FILE.csv|FILE.parquet",
                   help="a design table: one column per parameter path, optional 'policy' and 'scenario' columns")
    p.add_argument("--out", help="output folder (default runs/SCENARIO-batch)")
    batch_options(p, "the scenario's members")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("sensitivity", help="sensitivity indices (SALib Sobol' or Morris) for outcomes",
                       description="Sample the scenario's levers and uncertainties with SALib, run every point, "
                                   "and rank the factors by their sensitivity indices (with confidence intervals).")
    p.add_argument("scenario", help="scenario file (or bundled name)")
    p.add_argument("--method", required=True, help="sobol or morris")
    p.add_argument("--samples", type=int, default=64, help="SALib base sample size (default 64)")
    p.add_argument("--out", help="output folder (default runs/SCENARIO-METHOD)")
    batch_options(p, "1", series=False)
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("dashboard", help="open the dashboard in a browser (Streamlit)")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=cmd_dashboard)

    from sim.cli.play import add_parser as add_play_parser

    add_play_parser(sub)
    from sim.cli.explore import add_parsers as add_explore_parsers

    add_explore_parsers(sub)

    p = sub.add_parser("replay", help="re-run a saved run or experiment and check its outputs are byte-identical")
    p.add_argument("directory", help="a folder written by 'peninsula run' or 'peninsula batch'")
    p.set_defaults(func=cmd_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``peninsula`` command."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.func(args)
    except (PeninsulaError, UsageError) as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_USER
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        return 130
    except OSError as exc:  # the file system refused (full disk, permissions): say where, no traceback
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        err.print(f"error: {where}{exc.strerror or exc} (the file system refused to write or read it)", markup=False)
        return EXIT_USER


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
