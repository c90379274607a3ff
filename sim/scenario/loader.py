"""Loading scenarios from a file or text into a :class:`~sim.scenario.schema.Scenario`, and settings.

``extends`` is applied (child over parent, with each field's file and line kept for errors)
and the result validated; settings are applied to a loaded scenario.

Every mistake is reported as a :class:`~sim.errors.ScenarioError` naming the file, the
line, the field path and what was expected.
"""

from __future__ import annotations

from pathlib import Path

from sim.data import SCENARIO_DIR
from sim.errors import ScenarioError
from sim.indicators import canonical_indicator, canonical_relation
from sim.scenario.checks import validate
from sim.scenario.files import MAX_FILE_BYTES, Source, parse_text, read_file, resolve_parent
from sim.scenario.paths import check_path, in_range, path_range, range_text
from sim.scenario.schema import Scenario

_CONCAT = ("events", "scripted")
_OWN = ("expectations", "title", "description", "name")
"""Not inherited: a scenario's expectations and words are about that scenario only."""
_BY_PATH = ("levers", "uncertainties")


def merge(parent: dict, child: dict, plines: dict, clines: dict, pfile: str, cfile: str):
    """Child over parent. Returns (data, origins: path -> (file, line))."""
    origins: dict[tuple, tuple[str, int]] = {}

    def tag(lines, file, prefix_src, prefix_dst):
        n = len(prefix_src)
        for p, ln in lines.items():
            if p[:n] == prefix_src:
                origins[prefix_dst + p[n:]] = (file, ln)

    out: dict = {}
    for key in list(parent) + [k for k in child if k not in parent]:
        if key == "extends" or (key in _OWN and key not in child):
            continue
        if key not in child and not (key in _BY_PATH and any(g in child for g in _BY_PATH)):
            out[key] = parent[key]
            tag(plines, pfile, (key,), (key,))
        elif key not in parent:
            out[key] = child[key]
            tag(clines, cfile, (key,), (key,))
        elif key in _CONCAT and isinstance(parent[key], list) and isinstance(child[key], list):
            out[key] = parent[key] + child[key]
            tag(plines, pfile, (key,), (key,))
            for i in range(len(child[key])):
                tag(clines, cfile, (key, i), (key, len(parent[key]) + i))
        elif key in _BY_PATH and (isinstance(parent[key], list) and isinstance(child.get(key, []), list)):
            # A child's lever or uncertainty replaces the parent's one on the same path, even
            # across the two groups (a child may turn an uncertainty into a lever).
            merged, src = [], []
            cpaths = {c.get("path") for g in _BY_PATH for c in (child.get(g) or []) if isinstance(c, dict)}
            for i, item in enumerate(parent[key]):
                if isinstance(item, dict) and item.get("path") in cpaths:
                    continue
                merged.append(item)
                src.append((plines, pfile, (key, i)))
            for i, item in enumerate(child.get(key) or []):
                merged.append(item)
                src.append((clines, cfile, (key, i)))
            out[key] = merged
            for j, (lines, file, p) in enumerate(src):
                tag(lines, file, p, (key, j))
        elif isinstance(parent[key], dict) and isinstance(child[key], dict):
            sub, sub_orig = merge(parent[key], child[key],
                                   {p[1:]: v for p, v in plines.items() if p[:1] == (key,)},
                                   {p[1:]: v for p, v in clines.items() if p[:1] == (key,)}, pfile, cfile)
            out[key] = sub
            for p, v in sub_orig.items():
                origins[(key,) + p] = v
        else:
            out[key] = child[key]
            tag(clines, cfile, (key,), (key,))
    return out, origins


def load_chain(src: Source, here: Path | None, stack: list[str]):
    """Apply ``extends`` recursively. Returns (data, origins)."""
    origins = {p: (src.file, ln) for p, ln in src.lines.items()}
    ref = src.data.get("extends")
    if ref is None:
        return dict(src.data), origins
    parent_path = resolve_parent(ref, here, src.file, src.lines.get(("extends",)))
    key = str(parent_path)
    if key in stack:
        chain = " -> ".join(Path(s).name for s in stack + [key])
        raise ScenarioError(f"circular extends: {chain}", file=src.file, line=src.lines.get(("extends",)),
                            field="extends")
    parent = read_file(parent_path)
    pdata, porig = load_chain(parent, parent_path.parent, stack + [key])
    data, orig = merge(pdata, src.data, {p: ln for p, (f, ln) in porig.items()}, src.lines,
                        "", src.file)
    # merge tagged parent origins with an empty file name: restore the real ones.
    fixed = {p: (porig[p] if f == "" and p in porig else (f, ln)) for p, (f, ln) in orig.items()}
    fixed[()] = (src.file, 1)
    return data, fixed


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (applying ``extends``) into a validated :class:`Scenario`.

    A bare name such as ``"baseline"`` loads the bundled ``scenarios/baseline.yaml``.

    Raises:
        ScenarioError: with the file, line, field and what was expected.
    """
    p = Path(path)
    if not p.exists() and p.suffix == "" and (SCENARIO_DIR / f"{path}.yaml").is_file():
        p = SCENARIO_DIR / f"{path}.yaml"
    src = read_file(p)
    data, origins = load_chain(src, p.resolve().parent, [str(p.resolve())])
    data.setdefault("name", p.stem)
    return validate(data, origins, str(p), str(p.resolve()))


def load_scenario_text(text: str, name: str = "uploaded.yaml", base_dir: str | Path | None = None) -> Scenario:
    """Load a scenario from text (an upload).

    ``extends`` resolves against ``base_dir`` and the bundled scenarios.
    """
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", file=name)
    src = parse_text(text, name)
    here = Path(base_dir) if base_dir else SCENARIO_DIR
    data, origins = load_chain(src, here, [name])
    data.setdefault("name", Path(name).stem)
    return validate(data, origins, name, str(here / Path(name).name))


def with_settings(sc: Scenario, settings: dict[str, float], *, source: str = "--set") -> Scenario:
    """A copy of a scenario with parameter paths set (``--set``, lever positions).

    Values are checked against the lever's range when the path is a lever, else against
    the parameter's valid range.
    """
    data = sc.to_dict()
    levers = {lv.path: lv for lv in sc.levers}
    for path, value in settings.items():
        try:
            kind, name = check_path(path)
        except ValueError as exc:
            raise ScenarioError(str(exc), file=source, field=path) from None
        value = float(value)
        if path in levers:
            lv = levers[path]
            if not lv.min <= value <= lv.max:
                raise ScenarioError(f"the lever '{lv.label}' takes values from {lv.min:g} to {lv.max:g}, "
                                    f"got {value:g}", file=source, field=path)
        lo, hi = path_range(path)
        if not in_range(value, lo, hi):
            raise ScenarioError(f"expected a value {range_text(lo, hi)}, got {value:g}", file=source, field=path)
        if kind == "param":
            data["params"][name] = value
        elif kind == "unpredictability":
            data["actors"].setdefault(name, {"unpredictability": None, "weights": {}})["unpredictability"] = value
        elif kind == "weight":
            code, interest = name.split(".")
            data["actors"].setdefault(code, {"unpredictability": None, "weights": {}})["weights"][interest] = value
        elif name.startswith("relations."):
            pair = name[len("relations."):]
            data["relations"] = {k: v for k, v in data["relations"].items() if canonical_relation(k) != pair}
            data["relations"][pair] = value
        else:
            data["initial"] = {k: v for k, v in data["initial"].items() if canonical_indicator(k) != name}
            data["initial"][name] = value
    data["extends"] = None
    return validate(data, {}, source, sc.source)
