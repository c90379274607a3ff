"""The layout of ``sim``: parts that import one way, no import circle, and one door into the engine.

Every module of ``sim/`` (and of ``dashboard/``) is parsed, and every import it makes, at module
level or inside a function, is checked against the layers of DESIGN.md::

    vocabulary (errors, indicators, params, data) -> actors -> scenario -> engine -> run
    -> batch, game (not each other) -> cli, ema (not each other);  the dashboard on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS = {
    "sim.errors": 0, "sim.indicators": 0, "sim.params": 0, "sim.data": 0,
    "sim.actors": 1,
    "sim.scenario": 2,
    "sim.engine": 3,
    "sim.run": 4,
    "sim.batch": 5, "sim.game": 5,
    "sim.cli": 6, "sim.ema": 6,  # sim.ema: a scenario as an EMA Workbench model (over run and batch)
}
ENGINE_INSIDE = ("sim.engine.rules", "sim.engine.choose", "sim.engine.arith", "sim.engine.memory",
                 "sim.engine.rng", "sim.engine.model")
"""The engine's own modules: only the engine (and its tests) may import them."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _part(module: str) -> str:
    """The part of sim a module belongs to (``sim.engine.rules`` -> ``sim.engine``)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _imports(path: Path, *, module_level_only: bool = False) -> list[tuple[str, int]]:
    """(imported module, line) for every ``import sim...`` and ``from sim... import`` of a file.

    ``from sim.x import y`` counts as importing ``sim.x.y`` when that is a module, else ``sim.x``.
    Imports under ``if TYPE_CHECKING:`` are annotations only and are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
        if module_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "sim"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sim" \
                and node.level == 0:
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                is_module = (ROOT / Path(*sub.split("."))).with_suffix(".py").is_file() or \
                    (ROOT / Path(*sub.split(".")) / "__init__.py").is_file()
                out.append((sub if is_module else node.module, node.lineno))
    return out


SIM_FILES = sorted((ROOT / "sim").rglob("*.py"))
DASHBOARD_FILES = sorted((ROOT / "dashboard").rglob("*.py"))


def test_the_parser_sees_imports_and_the_layers_cover_sim():
    """Guard the guard: the checks below see the imports they should, and every part has a layer."""
    found = dict(_imports(ROOT / "sim" / "engine" / "choose.py"))
    assert "sim.engine.rules" in found and "sim.actors" in found
    parts = {_part(_module_name(p)) for p in SIM_FILES if _module_name(p) != "sim"}
    assert parts <= set(LAYERS), parts - set(LAYERS)
    assert len(SIM_FILES) > 40


@pytest.mark.parametrize("path", SIM_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path):
    me = _module_name(path)
    if me == "sim":
        return  # the package's front door gathers the public API from every part
    mine = _part(me)
    bad = []
    for target, line in _imports(path):
        theirs = _part(target)
        if target == "sim" or theirs == "sim":
            if mine != "sim.cli":
                bad.append(f"line {line}: 'import sim' (the front door) from inside sim; import the part itself")
            continue
        if theirs == mine:
            continue
        if LAYERS[theirs] > LAYERS[mine] or (LAYERS[theirs] == LAYERS[mine] and LAYERS[mine] > 0):
            bad.append(f"line {line}: {me} ({mine}, layer {LAYERS[mine]}) imports {target} "
                       f"({theirs}, layer {LAYERS[theirs]})")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", SIM_FILES + DASHBOARD_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_outside_the_engine_reaches_into_it(path):
    me = _module_name(path)
    if _part(me) == "sim.engine":
        return
    bad = [f"line {line}: {target}" for target, line in _imports(path) if target.startswith(ENGINE_INSIDE)]
    assert not bad, f"{me} imports the engine's insides (go through sim.engine: Setup, simulate, Simulation):\n" + \
        "\n".join(bad)


def test_the_dashboard_holds_no_engine_and_sim_holds_no_streamlit():
    for path in SIM_FILES:
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text, path


def test_no_import_circle():
    """Module-level imports between sim's modules form no circle (imports inside functions run later)."""
    graph: dict[str, set[str]] = {}
    for path in SIM_FILES:
        me = _module_name(path)
        graph[me] = {t for t, _ in _imports(path, module_level_only=True) if t != me}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if nxt in graph and state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node)
