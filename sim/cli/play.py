"""``peninsula play``: play a state in a teaching exercise, in the terminal (Rich).

    peninsula play pyongyang_bargain --role DPRK [--members N] [--seed S] [--advisor] [--report DIR]

It shows the situation and the role's briefing, then each turn the state of the role, its
posture (its instruments' levels) and the world, what the others did and why, and the moves
with the evidence they cite; it reads the move (a number or a move's name) from standard
input. The move is made in the turn's first month; the posture then holds for the rest of
the turn. A move that is possible in no world now is refused with the reason, and asked
again. It works without a terminal too (moves piped in, one a line): bad input is refused
with a clear message and asked again, and the end of input ends the game cleanly (with a
debrief of the turns played). At the end it prints the debrief and writes ``debrief.html``,
``debrief.csv``, ``timeline.csv`` and ``record.json`` to ``--report`` (default
``runs/play-EXERCISE-ROLE``).

At the prompt: a number or a name plays that move; ``model`` leaves the turn to the model's
rule; ``release ID`` releases an instructor inject; ``help`` lists the commands; ``quit`` stops.

Registered in ``sim/cli/main.py`` through :func:`add_parser`; ``python -m sim.cli.play`` runs it alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table

from sim.cli.main import Parser, UsageError, check_out, members_arg
from sim.engine import check_seed
from sim.errors import PeninsulaError
from sim.data import bundled_exercises
from sim.game.exercise import load_exercise
from sim.game import Debrief, Game, GameError, TurnView, label, option_name
from sim.indicators import format_value
from sim.indicators import ACTOR_NAMES

EXIT_USER = 2
QUOTE_CHARS = 90


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``play`` sub-command (with its ``func``) to the ``peninsula`` parser's subparsers."""
    p = subparsers.add_parser(
        "play", help="play a state in a teaching exercise, in the terminal",
        description="Play one state of a teaching exercise against the model: each turn, choose its move "
                    "(a number or a name, read from standard input, one a line), made in the turn's first "
                    "month; the state's posture then holds for the rest of the turn. The other states play "
                    "by the model's rule in every world of the ensemble. Ends with a debrief against the "
                    "model's own play, written as HTML and CSV.")
    p.add_argument("exercise", nargs="?", help="exercise file, or the name of a bundled one (e.g. pyongyang_bargain)")
    p.add_argument("--role", help="the state you play, an actor code (default: the exercise's first role)")
    p.add_argument("--members", type=members_arg, help="worlds in the ensemble (default: the exercise's)")
    p.add_argument("--seed", type=int, help="seed (default: the exercise's, else its scenario's)")
    p.add_argument("--advisor", action="store_true", help="show the model's scorecard of your moves each turn")
    p.add_argument("--report", metavar="DIR", help="folder for the debrief (default runs/play-EXERCISE-ROLE)")
    p.set_defaults(func=cmd_play)
    return p


def _console() -> Console:
    return Console(highlight=False, width=None if sys.stdout.isatty() else 110)


def cmd_play(args, *, stdin: TextIO | None = None, console: Console | None = None) -> int:
    """Run the game (see the module docstring). Returns the exit code."""
    stdin = stdin if stdin is not None else sys.stdin
    con = console or _console()
    if not args.exercise:
        names = ", ".join(p.stem for p in bundled_exercises())
        raise PeninsulaError(f"name an exercise (a file, or a bundled one: {names})", field="exercise")
    ex = load_exercise(args.exercise)
    role = (args.role or ex.roles[0]).strip()
    role = next((r for r in ex.roles if r.lower() == role.lower()), role)
    if role not in ex.roles:
        raise PeninsulaError(f"'{ex.name}' has no role {role!r}; its roles: {', '.join(ex.roles)}", file="--role")
    if args.seed is not None:
        check_seed(args.seed, field="--seed")
    report = check_out(Path(args.report) if args.report else Path("runs") / f"play-{ex.name}-{role}", "--report")
    game = Game(ex, role, members=args.members, seed=args.seed, advisor=True if args.advisor else None)

    con.rule(f"[bold]{ex.title or ex.name}[/bold]")
    con.print(f"You play {ACTOR_NAMES[role]} ({role}) for {ex.turns} turns of {ex.turn_months} month(s), "
              f"from {ex.month_label(0)}, in {game.members} worlds (seed {game.seed}).")
    if ex.situation.strip():
        con.print(Markdown(ex.situation))
    con.print(Markdown(ex.briefing(role)))
    _help(con, game)

    stopped = False
    while not game.finished:
        view = game.view()
        _show_view(con, view)
        _show_options(con, game)
        try:
            choice = _ask(con, stdin, game)
        except _Stop:
            stopped = True
            break
        game.play(choice)
    if game.turn == 0:
        con.print("No turn was played: there is nothing to debrief.")
        return 0
    if stopped:
        con.print(f"The game stops after {game.turn} of {game.turns} turns; the debrief covers the turns played.")
    else:
        _show_view(con, game.view())
    debrief = game.debrief()
    _show_debrief(con, debrief, role)
    paths = debrief.write(report)
    con.print(f"wrote {paths['html']}, {paths['csv'].name}, {paths['timeline'].name} and {paths['record'].name}")
    return 0


def _help(con: Console, game: Game) -> None:
    n = len(game.options())
    tm = game.exercise.turn_months
    rest = (f"your posture (the levels of your instruments) then holds for the other {tm - 1} month(s) of the turn"
            if tm > 1 else "your posture (the levels of your instruments) then holds until your next move")
    lines = [f"Each turn, type the number (1-{n}) or the name of a move: it is made in the turn's first month, and "
             f"{rest}. 'keep' changes nothing; 'model' lets the model's rule play the turn for you."]
    injects = [i for i in game.exercise.injects if i.release]
    if injects:
        lines.append("As your own instructor you may type 'release ID' to release an inject: "
                     + ", ".join(f"{i.id} ({i.label})" for i in injects) + ".")
    lines.append("'help' shows this again; 'quit' (or the end of input) stops the game.")
    con.print("[dim]" + " ".join(lines) + "[/dim]")


def _band_table(title: str, bands, first_col: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col in (first_col, "at start", "median now", "10%", "90%"):
        t.add_column(col, justify="left" if col == first_col else "right")
    for b in bands:
        t.add_row(b.name, format_value(b.series[0][0], b.unit), format_value(b.median, b.unit),
                  format_value(b.p10, b.unit), format_value(b.p90, b.unit))
    return t


def _show_view(con: Console, view: TurnView) -> None:
    con.rule(f"Turn {view.turn + 1} of {view.turns}: {view.months}" if not view.finished else "The end")
    for line in view.news:
        con.print(f"[bold]News[/bold] {escape(line)}")
    con.print(_band_table(f"{view.title}: your interests (score 0 to 1, across worlds)", view.interests, "interest"))
    if view.posture:
        con.print(_band_table(f"{view.title}: your posture (instrument levels, 0 to 1)", view.posture, "instrument"))
    posture = {b.name for b in view.posture}
    con.print(_band_table(f"{view.title}: your indicators", [b for b in view.own if b.name not in posture],
                          "indicator"))
    con.print(_band_table("The world", view.world, "indicator"))
    if view.others:
        con.print("[bold]Last turn[/bold] (each state's main move, in the share of worlds, and why):")
        for m in view.others:
            if m.sentence:
                con.print(f"  {m.sentence}", markup=False)
    if view.advice is not None:
        a = view.advice
        t = Table(title=f"Advisor: the model's scorecard for {a.month} (looking {a.horizon} months ahead)",
                  title_justify="left")
        t.add_column("move")
        t.add_column("score", justify="right")
        t.add_column("cost", justify="right")
        t.add_column("best in", justify="right")
        t.add_column("what drives it")
        for o in sorted(a.options, key=lambda o: (o.possible == 0, -o.score)):
            if o.possible == 0:
                t.add_row(o.label, "-", "-", "-", f"not possible now: {o.reason}")
                continue
            top = sorted(o.by_interest.items(), key=lambda kv: -kv[1])[:2]
            drivers = ", ".join(f"{label(k)} {v:.3f}" for k, v in top)
            if o.possible < 1:
                drivers += f" (possible in {o.possible:.0%} of worlds)"
            t.add_row(o.label, f"{o.score:.3f}", f"{o.cost:.4f}", f"{o.best_share:.0%}", drivers)
        con.print(t)
        con.print(a.sentence, markup=False)


def _show_options(con: Console, game: Game) -> None:
    con.print("[bold]Your moves[/bold]")
    for o in game.options():
        if o.possible == 0:
            con.print(f"  [dim]{o.index + 1}. {escape(o.label)} ({o.name}): not possible now: {escape(o.reason)}[/dim]")
            continue
        where = f" [dim](possible in {o.possible:.0%} of worlds; elsewhere you keep your posture)[/dim]" \
            if o.possible < 1 else ""
        con.print(f"  [bold]{o.index + 1}. {escape(o.label)}[/bold] ({o.name}): {escape(o.description)}{where}")
        for c in o.claims:
            quote = c.quote if len(c.quote) <= QUOTE_CHARS else c.quote[:QUOTE_CHARS - 1].rstrip() + "…"
            con.print(f"     [dim]{c.id}: “{escape(quote)}”[/dim]", highlight=False)


class _Stop(Exception):
    """The player stops: the end of input, or 'quit'."""


MODEL = "model"
"""What the player types to leave a turn to the model's rule."""


def _ask(con: Console, stdin: TextIO, game: Game) -> str | None:
    """Read a move; re-ask on bad input or a move possible in no world. None: the model's rule.

    Raises:
        _Stop: at the end of input or on 'quit'.
    """
    role = game.roles[0]
    names = [o.name for o in game.options()]
    echo = not getattr(stdin, "isatty", lambda: False)()
    while True:
        name = _read_move(con, stdin, game, role, names, echo)
        if name is None:
            return None
        why = game.impossible().get(name)
        if why is None:
            return name
        con.print(f"[red]{escape(name)} is not possible now:[/red] {escape(why)}. Choose another move.",
                  highlight=False)


def _read_move(con: Console, stdin: TextIO, game: Game, role: str, names: list[str], echo: bool) -> str | None:
    """Read one line until it names a move (or 'model': None); handle 'help' and 'release' on the way."""
    while True:
        con.print(f"Your move for turn {game.turn + 1} [1-{len(names)} or a name, 'model', 'help']: ", end="")
        line = stdin.readline()
        if line == "":
            con.print()
            con.print("End of input.")
            raise _Stop
        text = line.strip()
        if echo:
            con.print(text, markup=False, highlight=False)
        if not text:
            continue
        low = text.lower()
        if low in ("q", "quit", "exit", "stop"):
            raise _Stop
        if low in (MODEL, "rule", "auto"):
            return None
        if low in ("h", "help", "?"):
            _help(con, game)
            continue
        if low.split()[0] in ("release", "inject"):
            parts = text.split(None, 1)
            if len(parts) < 2:
                con.print("[red]Say which inject:[/red] release ID")
                continue
            try:
                game.release(parts[1].strip())
            except GameError as exc:
                con.print(f"[red]Not released:[/red] {escape(exc.message)}")
                continue
            inj = game.exercise.inject(parts[1].strip())
            con.print(f"[bold]Released[/bold] from {game.exercise.turn_label(game.turn)}: {escape(inj.text)}")
            continue
        if low.isdigit():
            k = int(low)
            if 1 <= k <= len(names):
                return names[k - 1]
            con.print(f"[red]There is no move {k}:[/red] enter a number from 1 to {len(names)} or a move's name.")
            continue
        try:
            return option_name(role, text)
        except GameError:
            con.print(f"[red]{escape(repr(text))} is not one of your moves:[/red] enter a number from 1 to "
                      f"{len(names)} or a move's name (e.g. {names[0]}).", highlight=False)


def _show_debrief(con: Console, d: Debrief, role: str) -> None:
    rd = d.roles[role]
    con.rule("[bold]Debrief[/bold]")
    for s in rd.sentences[:2]:
        con.print(s, markup=False)
    t = Table(title=f"You against the model's {rd.title}, world by world ({d.members} worlds)", title_justify="left")
    for col in ("interest", "weight", "you", "model", "better", "tied", "worse"):
        t.add_column(col, justify="left" if col == "interest" else "right")
    for o in [*rd.interests, rd.overall]:
        t.add_row(label(o.interest), f"{o.weight:.2f}", f"{o.player:.3f}", f"{o.model:.3f}", f"{o.better:.0%}",
                  f"{o.tied:.0%}", f"{o.worse:.0%}")
    con.print(t)
    tl = Table(title="Timeline (each turn's move; the model's main move in the same worlds)", title_justify="left")
    for col in ("turn", "months", "your move", "the model's move", "news"):
        tl.add_column(col)
    for e in rd.timeline:
        mine = "(the model's rule)" if e.choice is None else label(e.choice)
        if e.choice is not None and e.choice_share < 1:
            mine += f" (in {e.choice_share:.0%} of worlds)"
        tl.add_row(str(e.turn + 1), e.months, mine, f"{label(e.model_choice)} ({e.model_share:.0%})",
                   "; ".join(e.news))
    con.print(tl)
    if d.questions:
        con.print("[bold]Questions for the debrief[/bold]")
        for i, q in enumerate(d.questions, 1):
            con.print(f"  {i}. {q}", markup=False)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.cli.play EXERCISE ...``: the ``play`` verb on its own."""
    parser = Parser(prog="peninsula")
    add_parser(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    try:
        args = parser.parse_args(["play", *(argv if argv is not None else sys.argv[1:])])
        return args.func(args)
    except (PeninsulaError, UsageError) as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {exc}", markup=False)
        return EXIT_USER
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
