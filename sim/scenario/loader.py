"""Loading scenarios from a file or text into a :class:`~sim.scenario.schema.Scenario`, and settings.

``extends`` is applied (child over parent, with each field's file and line kept for errors)
and the result validated; settings are applied to a loaded scenario.

Every mistake is reported as a :class:`~sim.errors.ScenarioError` naming the file, the
line, the field path and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.data import SCENARIO_DIR
from sim.errors import ScenarioError
from sim.indicators import canonical_indicator, canonical_relation
from sim.scenario.checks import validate
from sim.scenario.files import MAX_FILE_BYTES, Source, parse_text, read_file, resolve_bundled, resolve_parent
from sim.scenario.paths import check_path, in_range, path_range, range_text
from sim.scenario.schema import NAME_CHARS, NAME_MAX, Scenario

_CONCAT = ("events", "scripted")
_OWN = ("expectations", "title", "description", "name")
"""Not inherited: a scenario's expectations and words are about that scenario only."""
_BY_PATH = ("levers", "uncertainties")

Origins = dict[tuple, tuple[str, int]]
"""Field path -> (file, line) it came from."""


def default_name(stem: str) -> str:
    """The name of a scenario that gives none, from its file's stem (``My Scenario`` -> ``my_scenario``).

    The stem lower-cased, every character outside ``a-z 0-9 _ -`` replaced by ``_``, cut to
    64 characters (``scenario`` if nothing is left). An explicit ``name:`` is not normalised:
    one that does not match ``[a-z0-9_-]{1,64}`` is an error (it names the output folder
    ``runs/NAME``).
    """
    name = re.sub(f"[^{NAME_CHARS}]", "_", stem.lower())[:NAME_MAX]
    return name or "scenario"


def _group(orig: Origins) -> dict[Any, Origins]:
    """Origins by their first part: first -> {rest of the path: origin} (one pass)."""
    out: dict[Any, Origins] = {}
    for p, v in orig.items():
        if p:
            out.setdefault(p[0], {})[p[1:]] = v
    return out


def _path_of(item: Any) -> str | None:
    """The ``path`` of a lever or uncertainty, when it is one (a dict with a string path)."""
    if isinstance(item, dict):
        p = item.get("path")
        if isinstance(p, str):
            return p
    return None


def _merge_by_path(key: str, items: list, child: dict, p_orig: Origins, c_orig: Origins) -> tuple[list, Origins]:
    """Levers or uncertainties: the parent's ``items``, with the child's merged in by ``path``.

    A child's item on a path the parent has in the same group is merged into it field by
    field (a child may narrow a lever: ``{path: params.x, max: 5}`` keeps the parent's label
    and min); one on a path the parent has in the other group replaces it (a child may turn
    an uncertainty into a lever); any other is added. Values of any type pass through for
    the schema to judge. ``p_orig``/``c_orig``: the origins under the group, by item index.
    """
    mine = child.get(key)
    mine = mine if isinstance(mine, list) else []
    others = {_path_of(c) for g in _BY_PATH if g != key and isinstance(child.get(g), list) for c in child[g]}
    others.discard(None)
    p_items, c_items = _group(p_orig), _group(c_orig)
    merged: list = []
    where: list[Origins] = []  # each merged item's origins, relative to the item
    slots: dict[str, int] = {}
    for i, item in enumerate(items):
        path = _path_of(item)
        if path is not None and path in others:
            continue
        if path is not None and path not in slots:
            slots[path] = len(merged)
        merged.append(item)
        where.append(p_items.get(i, {}))
    for i, item in enumerate(mine):
        path = _path_of(item)
        j = slots.pop(path, None) if path is not None else None
        mine_orig = c_items.get(i, {})
        if j is not None:
            sub, sub_orig = merge(merged[j], item, where[j], mine_orig, top=False)
            merged[j] = sub
            if () in mine_orig:
                sub_orig[()] = mine_orig[()]
            where[j] = sub_orig
        else:
            merged.append(item)
            where.append(mine_orig)
    origins: Origins = {}
    for j, orig in enumerate(where):
        for rest, v in orig.items():
            origins[(j,) + rest] = v
    return merged, origins


def merge(parent: dict, child: dict, porig: Origins, corig: Origins, *, top: bool = True,
          file: str = "") -> tuple[dict, Origins]:
    """Child over parent: the data of a scenario that ``extends`` another.

    Mappings merge, ``events`` and ``scripted`` are appended, levers and uncertainties merge
    by ``path``; anything else the child gives replaces the parent's. ``porig`` and ``corig``
    give the (file, line) of each field path of the parent and the child, relative to these
    mappings; ``file`` names the child in errors. ``top``: these are whole scenarios (the
    rules for ``extends``, the fields not inherited and the groups apply only there). Values
    of any type merge without error: the schema says what is wrong with them.

    Returns (data, origins: path -> (file, line)).
    """
    origins: Origins = {}
    pg, cg = _group(porig), _group(corig)

    def tag(group: dict, key, dst: tuple) -> None:
        for rest, v in group.get(key, {}).items():
            origins[dst + rest] = v

    out: dict = {}
    for key in list(parent) + [k for k in child if k not in parent]:
        if top and (key == "extends" or (key in _OWN and key not in child)):
            continue
        in_p, in_c = key in parent, key in child
        if top and key in _BY_PATH and in_p and any(isinstance(child.get(g), list) for g in _BY_PATH):
            items = [] if parent[key] is None else parent[key]
            if not isinstance(items, list):
                pfile, line = porig.get((key,), (None, None))
                raise ScenarioError(f"expected a list of {key} (to merge with those of {file or 'the child'}), "
                                    f"got {type(items).__name__}", file=pfile, line=line, field=key)
            if not in_c or isinstance(child[key], list):
                out[key], sub = _merge_by_path(key, items, child, pg.get(key, {}), cg.get(key, {}))
                for rest, v in sub.items():
                    origins[(key,) + rest] = v
                if (key,) in corig or (key,) in porig:
                    origins[(key,)] = corig.get((key,)) or porig[(key,)]
                continue
        if not in_c:
            out[key] = parent[key]
            tag(pg, key, (key,))
        elif not in_p:
            out[key] = child[key]
            tag(cg, key, (key,))
        elif top and key in _CONCAT and isinstance(parent[key], list) and isinstance(child[key], list):
            out[key] = parent[key] + child[key]
            tag(pg, key, (key,))
            n = len(parent[key])
            for rest, v in cg.get(key, {}).items():
                if rest and isinstance(rest[0], int):
                    origins[(key, n + rest[0]) + rest[1:]] = v
        elif isinstance(parent[key], dict) and isinstance(child[key], dict):
            sub, sub_orig = merge(parent[key], child[key], pg.get(key, {}), cg.get(key, {}), top=False)
            out[key] = sub
            for rest, v in sub_orig.items():
                origins[(key,) + rest] = v
        else:
            out[key] = child[key]
            tag(cg, key, (key,))
    return out, origins


def load_chain(src: Source, here: Path | None, stack: list[str], *, bundled_only: bool = False):
    """Apply ``extends`` recursively. Returns (data, origins).

    ``bundled_only``: ``extends`` may name only a bundled scenario (text from outside: an
    upload); the bundled scenario's own ``extends`` resolve as usual.
    """
    origins: Origins = {p: (src.file, ln) for p, ln in src.lines.items()}
    ref = src.data.get("extends")
    if ref is None:
        return dict(src.data), origins
    line = src.lines.get(("extends",))
    if bundled_only:
        parent_path = resolve_bundled(ref, src.file, line)
    else:
        parent_path = resolve_parent(ref, here, src.file, line)
    key = str(parent_path)
    if key in stack:
        chain = " -> ".join(Path(s).name for s in stack + [key])
        raise ScenarioError(f"circular extends: {chain}", file=src.file, line=line, field="extends")
    parent = read_file(parent_path, cached=True)
    pdata, porig = load_chain(parent, parent_path.parent, stack + [key])
    data, orig = merge(pdata, src.data, porig, origins, file=src.file)
    orig[()] = (src.file, 1)
    return data, orig


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file (applying ``extends``) into a validated :class:`Scenario`.

    A bare name such as ``"baseline"`` loads the bundled ``scenarios/baseline.yaml``. A file
    that gives no ``name`` is named after its stem (see :func:`default_name`).

    Raises:
        ScenarioError: with the file, line, field and what was expected.
    """
    p = Path(path)
    try:
        if not p.exists() and p.suffix == "" and (SCENARIO_DIR / f"{path}.yaml").is_file():
            p = SCENARIO_DIR / f"{path}.yaml"
        src = read_file(p)
        here = p.resolve()
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the file ({getattr(exc, 'strerror', None) or exc})",
                            file=str(path)) from None
    data, origins = load_chain(src, here.parent, [str(here)])
    data.setdefault("name", default_name(p.stem))
    return validate(data, origins, str(p), str(here))


def load_scenario_text(text: str, name: str = "uploaded.yaml", base_dir: str | Path | None = None, *,
                       bundled_only: bool = True) -> Scenario:
    """Load a scenario from text (an upload).

    ``bundled_only`` (the default, for text from outside): ``extends`` and an expectation's
    ``than`` may name only a bundled scenario, by name (``baseline``); a path is refused
    without looking at it. With ``bundled_only=False`` (a trusted caller) they resolve
    against ``base_dir`` and the bundled scenarios, as in a file. Text that gives no ``name``
    is named after ``name``'s stem (see :func:`default_name`).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is larger than {MAX_FILE_BYTES:,} bytes", file=name)
    src = parse_text(text, name)
    here = SCENARIO_DIR if bundled_only or not base_dir else Path(base_dir)
    data, origins = load_chain(src, here, [name], bundled_only=bundled_only)
    data.setdefault("name", default_name(Path(name).stem))
    return validate(data, origins, name, str(here / Path(name).name), bundled_only=bundled_only)


def with_settings(sc: Scenario, settings: dict[str, float], *, source: str = "--set") -> Scenario:
    """A copy of a scenario with parameter paths set (``--set``, lever positions).

    Values are checked against the lever's range when the path is a lever, else against
    the parameter's valid range. A value set on an uncertainty's path fixes it: it must lie in
    the uncertainty's range (``bounds()``: a normal's is its mean +- 4 sd), and the copy no
    longer declares that uncertainty, so every member takes the value (and a replay of the
    copy, as a manifest stores it, reproduces the run).
    """
    data = sc.to_dict()
    levers = {lv.path: lv for lv in sc.levers}
    uncertain = {check_path(u.path): (i, u) for i, u in enumerate(sc.uncertainties)}
    fixed: set[int] = set()
    for path, value in settings.items():
        try:
            kind, name = check_path(path)
        except ValueError as exc:
            raise ScenarioError(str(exc), file=source, field=path) from None
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ScenarioError(f"expected a number, got {value!r}", file=source, field=path) from None
        if (kind, name) in uncertain:
            i, unc = uncertain[(kind, name)]
            lo, hi = unc.bounds()
            if not lo <= value <= hi:
                shape = f"normal, mean {unc.mean:g} and sd {unc.sd:g}, +- 4 sd" if unc.dist == "normal" else unc.dist
                raise ScenarioError(f"{unc.path} is an uncertainty of this scenario ({shape}, from {lo:g} to {hi:g}): "
                                    f"a value set for it fixes it in every member and must lie in that range; "
                                    f"got {value:g}", file=source, field=path)
            fixed.add(i)
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
    data["uncertainties"] = [u for i, u in enumerate(data["uncertainties"]) if i not in fixed]
    data["extends"] = None
    return validate(data, {}, source, sc.source)
