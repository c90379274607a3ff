"""Reading scenario files: size and type checks, safe YAML, and finding the files named.

Safe YAML keeps the line of every field; the files named are the scenarios that ``extends``
or ``than`` names. A file is checked before it is read (a regular file, at most
:data:`MAX_FILE_BYTES`), read at most one byte past that, and parsed with caps on its
nesting (:data:`MAX_DEPTH`) and its size once aliases are expanded (:data:`MAX_NODES`);
a key given twice in one mapping is an error, not a silent override.
"""

from __future__ import annotations

import copy
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any

import yaml

from sim.data import SCENARIO_DIR, bundled_scenarios
from sim.errors import ScenarioError

MAX_FILE_BYTES = 1_000_000
"""The largest scenario file, in bytes (the bundled ones are under 10,000)."""
MAX_NODES = 100_000
"""The most values a document may hold once its aliases are expanded (billion laughs)."""
MAX_DEPTH = 64
"""How deeply mappings and lists may nest in a scenario file, counting what aliases bring in.

A scenario nests four levels (``levers`` > a lever > ``claims`` > a claim); 64 leaves room for
any hand-written file and keeps the YAML composer, the walk that notes lines, the merge of
``extends`` and the schema far below Python's recursion limit. Without the cap 50,000
brackets ``[[[...]]]`` or a recursive alias (``a: &x [*x]``) raised RecursionError."""

_MERGE_TAG = "tag:yaml.org,2002:merge"

_PARSED: dict[tuple, "Source"] = {}
"""Parsed parents (``read_file(..., cached=True)``) by path and the file's identity, size and time."""
_PARSED_MAX = 32
_PARSED_LOCK = threading.Lock()


def fmt_loc(loc: tuple) -> str:
    """A field path as text: ``events[2].set``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            text = str(part)
            if not text.isprintable() or len(text) > 80:
                text = repr(text[:80])
            out += ("." if out else "") + text
    return out


def _shown_key(value: Any) -> str:
    text = str(value)
    return text if text.isprintable() and len(text) <= 80 else repr(text[:80])


class Source:
    """A parsed YAML file: its data, and the line of every field path."""

    def __init__(self, data: Any, lines: dict[tuple, int], file: str) -> None:
        """Keep the data, the lines and the file's name as shown in errors."""
        self.data = data
        self.lines = lines
        self.file = file


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses to compose a document nested deeper than MAX_DEPTH."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's method, with a depth count
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise ScenarioError(f"the values are nested more than {MAX_DEPTH} levels deep; a scenario nests "
                                    "a few levels (mappings and lists)", file=self.file, line=mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Walk:
    """What the walk over the composed document carries: its loader, file, lines and count."""

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[tuple, int] = {}
        self.count = 0
        self.open: set[int] = set()  # the collection nodes being walked (a node inside itself: a cycle)


def _key_identity(walk: _Walk, key: yaml.Node) -> Any:
    """What a mapping key becomes in Python (two keys that become equal collide); None if not plain."""
    if not isinstance(key, yaml.ScalarNode):
        return None
    try:
        value = walk.loader.construct_object(key)
        hash(value)
    except (yaml.YAMLError, TypeError, ValueError, OverflowError):
        return ("?", key.tag, key.value)
    return ("=", value)


def _walk_lines(node: yaml.Node, path: tuple, walk: _Walk, depth: int) -> None:
    walk.count += 1
    if walk.count > MAX_NODES:
        raise ScenarioError(f"the document has more than {MAX_NODES:,} values (too large or recursive "
                            f"aliases); a scenario is a small file", file=walk.file)
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise ScenarioError(f"the values are nested more than {MAX_DEPTH} levels deep (counting what aliases "
                            "bring in); a scenario nests a few levels", file=walk.file, line=line,
                            field=fmt_loc(path) or None)
    walk.lines[path] = line
    if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        return
    if id(node) in walk.open:
        raise ScenarioError("a recursive alias: this value contains itself (an alias *NAME inside the value "
                            "anchored &NAME); a scenario is plain, finite data", file=walk.file, line=line,
                            field=fmt_loc(path) or None)
    walk.open.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            kline = key.start_mark.line + 1
            if key.tag != _MERGE_TAG:
                ident = _key_identity(walk, key)
                if ident is not None and ident in seen:
                    raise ScenarioError(f"key '{_shown_key(k)}' appears twice: lines {seen[ident]} and {kline} "
                                        "(give each key once)", file=walk.file, line=kline,
                                        field=fmt_loc(path + (k,)))
                if ident is not None:
                    seen[ident] = kline
            walk.lines[path + (k,)] = kline
            _walk_lines(value, path + (k,), walk, depth + 1)
            walk.lines[path + (k,)] = kline
    else:
        for i, value in enumerate(node.value):
            _walk_lines(value, path + (i,), walk, depth + 1)
    walk.open.discard(id(node))


def parse_text(text: str, file: str) -> Source:
    """Parse YAML text with the safe loader, noting each field's line; ScenarioError if it is not a mapping."""
    loader = None
    try:
        loader = _Loader(text, file)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError("the file is empty; a scenario is a YAML mapping (name:, start:, months:, ...)",
                                file=file)
        walk = _Walk(loader, file)
        _walk_lines(node, (), walk, 1)
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = (exc.problem or "").strip()
        if "unhashable" in problem:
            raise ScenarioError("a key must be a plain value (a name or a number), not a list or a mapping",
                                file=file, line=line) from None
        raise ScenarioError(
            f"YAML tags that construct objects are not allowed ({problem}); a scenario is plain data: "
            "mappings, lists, strings and numbers", file=file, line=line) from None
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
    except RecursionError:  # the caps above should make this unreachable; a clear error all the same
        raise ScenarioError(f"the values are nested too deeply; a scenario nests at most {MAX_DEPTH} levels",
                            file=file) from None
    except ValueError as exc:  # a YAML date or timestamp that is no date, e.g. 2024-13-01
        raise ScenarioError(f"this is not valid YAML: a value reads as a date but is none ({exc}); write months "
                            "as YYYY-MM", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(f"a scenario must be a YAML mapping of fields, not a {type(data).__name__}",
                            file=file, line=1)
    _check_text(data, (), walk.lines, file)
    return Source(data, walk.lines, file)


def _check_text(node, path: tuple, lines: dict, file: str) -> None:
    """Every string is text that can be written out: no lone surrogate (a YAML ``"\ud800"`` escape)."""
    if isinstance(node, dict):
        for k, v in node.items():
            _check_text(k, path, lines, file)
            _check_text(v, path + (k,), lines, file)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_text(v, path + (i,), lines, file)
    elif isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            field = ".".join(str(p) for p in path) or None
            raise ScenarioError("this text holds a lone surrogate escape (such as \\ud800), which is no character",
                                file=file, line=lines.get(path), field=field) from None


def _not_regular(mode: int) -> str:
    kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"this is {kind}, not a regular file; expected a scenario .yaml file"


def read_file(path: Path, *, cached: bool = False) -> Source:
    """Read and parse a scenario file, with clear errors for a missing, large or non-text file.

    The file's type and size are checked before anything is read (a FIFO or a device is
    refused, not waited on), and at most ``MAX_FILE_BYTES + 1`` bytes are read. ``cached``:
    reuse the parse of an unchanged file (same path, inode, size and modification time),
    as a copy: the parents that ``extends`` names, the baseline above all, are read often.
    """
    shown = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ScenarioError("no such file", file=shown) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot read the file ({getattr(exc, 'strerror', None) or exc})", file=shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError("this is a folder; expected a scenario .yaml file", file=shown)
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(_not_regular(st.st_mode), file=shown)
    if st.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is {st.st_size:,} bytes; a scenario may be at most {MAX_FILE_BYTES:,}",
                            file=shown)
    key = (shown, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if cached:
        with _PARSED_LOCK:
            hit = _PARSED.get(key)
        if hit is not None:
            return Source(copy.deepcopy(hit.data), dict(hit.lines), shown)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror or exc})", file=shown) from None
    chunks: list[bytes] = []
    try:
        st = os.fstat(fd)  # the file opened (it may have been swapped since the check)
        if not stat.S_ISREG(st.st_mode):
            raise ScenarioError(_not_regular(st.st_mode), file=shown)
        left = MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror or exc})", file=shown) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"the file is more than {MAX_FILE_BYTES:,} bytes; a scenario may be at most "
                            f"{MAX_FILE_BYTES:,}", file=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("the file is not UTF-8 text", file=shown) from None
    src = parse_text(text, shown)
    if cached:
        kept = Source(copy.deepcopy(src.data), dict(src.lines), shown)
        with _PARSED_LOCK:
            while len(_PARSED) >= _PARSED_MAX:
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[key] = kept
    return src


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


_BUNDLED_NAME = re.compile(r"[a-z0-9_-]{1,64}")


def resolve_bundled(ref: Any, file: str, line: int | None, field: str = "extends") -> Path:
    """Find a bundled scenario by name (``baseline``), for text that may name nothing else (an upload).

    Paths are refused with one answer whether or not they exist, and nothing of any file
    outside the bundled scenarios is opened.
    """
    names = [p.stem for p in bundled_scenarios()]
    stem = ref[:-5] if isinstance(ref, str) and ref.endswith(".yaml") else ref
    if isinstance(stem, str) and _BUNDLED_NAME.fullmatch(stem) and stem in names:
        return SCENARIO_DIR / f"{stem}.yaml"
    shown = repr(ref[:60]) if isinstance(ref, str) else type(ref).__name__
    raise ScenarioError(f"expected the name of a bundled scenario ({', '.join(names)}); uploaded text cannot "
                        f"name a file by path, got {shown}", file=file, line=line, field=field)
