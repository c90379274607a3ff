"""Reading scenario files: size and type checks, safe YAML, and finding the files named.

Safe YAML keeps the line of every field; the files named are the scenarios that ``extends``
or ``than`` names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sim.data import SCENARIO_DIR
from sim.errors import ScenarioError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000


class Source:
    """A parsed YAML file: its data, and the line of every field path."""

    def __init__(self, data: Any, lines: dict[tuple, int], file: str) -> None:
        """Keep the data, the lines and the file's name as shown in errors."""
        self.data = data
        self.lines = lines
        self.file = file


def _walk_lines(node, path: tuple, lines: dict, counter: list[int], file: str) -> None:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise ScenarioError(f"the document has more than {MAX_NODES:,} values (too large or recursive "
                            f"aliases); a scenario is a small file", file=file)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            lines[path + (k,)] = key.start_mark.line + 1
            _walk_lines(value, path + (k,), lines, counter, file)
            lines[path + (k,)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk_lines(value, path + (i,), lines, counter, file)


def parse_text(text: str, file: str) -> Source:
    """Parse YAML text with the safe loader, noting each field's line; ScenarioError if it is not a mapping."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(f"this is not valid YAML: {exc.problem or exc}", file=file, line=line) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise ScenarioError(f"this is not valid YAML: the character {exc.character!r} is not allowed in a YAML "
                            "file (control characters are not text)", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"this is not valid YAML: {exc}", file=file) from None
    if node is None:
        raise ScenarioError("the file is empty; a scenario is a YAML mapping (name:, start:, months:, ...)",
                            file=file)
    lines: dict[tuple, int] = {}
    _walk_lines(node, (), lines, [0], file)
    loader = yaml.SafeLoader(text)
    try:
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = exc.problem or ""
        raise ScenarioError(
            f"YAML tags that construct objects are not allowed ({tag.strip()}); a scenario is plain data: "
            "mappings, lists, strings and numbers", file=file, line=line) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a YAML mapping of fields, not a {type(data).__name__}",
                            file=file, line=1)
    return Source(data, lines, file)


def read_file(path: Path) -> Source:
    """Read and parse a scenario file, with clear errors for a missing, large or non-text file."""
    shown = str(path)
    if not path.exists():
        raise ScenarioError("no such file", file=shown)
    if path.is_dir():
        raise ScenarioError("this is a folder; expected a scenario .yaml file", file=shown)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is {size:,} bytes; a scenario may be at most {MAX_FILE_BYTES:,}",
                            file=shown)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=shown) from None
    return parse_text(text, shown)


def resolve_parent(ref: str, here: Path | None, file: str, line: int | None, field: str = "extends") -> Path:
    """Find the scenario file that a name or path refers to (``extends``, ``than``)."""
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError("expected the name or path of another scenario", file=file, line=line, field=field)
    if "\0" in ref or len(ref) > 255 or not ref.isprintable():
        raise ScenarioError(f"expected the name or path of another scenario, got {ref[:60]!r}", file=file,
                            line=line, field=field)
    cand: list[Path] = []
    name = ref if ref.endswith((".yaml", ".yml")) else f"{ref}.yaml"
    try:
        if here is not None:
            cand.append((here / name).resolve())
        cand.append((SCENARIO_DIR / name).resolve())
        for c in cand:
            if c.is_file():
                return c
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot use {ref[:60]!r} as a scenario name or path ({exc.strerror or exc})",
                            file=file, line=line, field=field) from None
    looked = " or ".join(str(c) for c in dict.fromkeys(cand))
    raise ScenarioError(f"names scenario {ref!r}, but no such scenario was found (looked for {looked})",
                        file=file, line=line, field=field)
