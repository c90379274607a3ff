"""Results of a run: indicators, choices and their reasons, tidy tables, saving with a manifest and loading.

:func:`sim.engine.simulate` hands out :class:`Results`; :meth:`Results.save` writes a run folder
(``results.parquet``, ``choices.parquet``, ``manifest.json``) and :meth:`Results.load` reads one back.

A run folder is written durably: every file is fsynced, then its folder, before the rename
that publishes it, and the parent folder after (:func:`publish`, used by the batch outputs too).
A manifest read back is validated (:func:`read_run_manifest`): its fields' types and bounds, its
scenario (which must have the recorded SHA-256), its months and its settings; a manifest that
fails is a :class:`~sim.errors.PeninsulaError` naming the file, never a traceback or a huge allocation.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError

from sim.actors import ACTOR_CLASSES
from sim.engine.choose import REASON_LABELS, reason_labels
from sim.engine.setup import MAX_MEMBERS
from sim.errors import PeninsulaError, ScenarioError
from sim.indicators import FLOAT, INDEX, NAMES, canonical_indicator
from sim.scenario import Scenario, scenario_value

RESULTS_FILE = "results.parquet"
CHOICES_FILE = "choices.parquet"
MANIFEST_FILE = "manifest.json"
RUN_FORMAT = "peninsula-run/1"


def _schema_bound(model: type[BaseModel], name: str, bound: str) -> int:
    """A numeric bound (``le``, ``lt``, ...) of a field of a pydantic model."""
    for meta in model.model_fields[name].metadata:
        value = getattr(meta, bound, None)
        if value is not None:
            return int(value)
    raise LookupError(f"{model.__name__}.{name} has no {bound} bound")  # pragma: no cover


MAX_MONTHS = _schema_bound(Scenario, "months", "le")
ID_LIMIT = 2**63
"""Member ids lie in [0, 2**63)."""


# -- durable files ------------------------------------------------------------------------------------------------
def fsync_file(path: str | Path) -> None:
    """Flush a file's bytes to the disk (before the rename that publishes it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | Path) -> None:
    """Flush a folder's entries (a rename into it, or the files created in it) to the disk.

    A no-op where folders cannot be opened or synced (Windows, some file systems).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a file system that cannot sync folders: the rename itself still happened
    finally:
        os.close(fd)


def publish(tmp: str | Path, target: str | Path) -> None:
    """Durably rename a finished temporary file to its name: fsync it, rename, fsync the folder."""
    fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(Path(target).parent)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a text file under a temporary name beside it, then :func:`publish` it (no half-written file)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            fh.write(text)
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def versions() -> dict[str, str]:
    """Versions of Python, this package and the dependencies that shape the results."""
    out = {"python": platform.python_version()}
    for dist in ("peninsula-sim", "numpy", "mesa", "pyarrow", "pydantic", "pyyaml"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def sha256_file(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def compress_ids(ids: np.ndarray) -> list[list[int]]:
    """Member ids as [first, last] runs: [0..999] -> [[0, 999]]."""
    runs: list[list[int]] = []
    for i in ids.tolist():
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def expand_ids(runs: list[list[int]]) -> list[int]:
    """Member ids from [first, last] runs (the inverse of :func:`compress_ids`): [[0, 2]] -> [0, 1, 2]."""
    return [i for a, b in runs for i in range(a, b + 1)]


@dataclass
class Results:
    """What a run produced, for every member.

    Attributes:
        scenario: the resolved scenario that was run.
        seed: the run's seed.
        member_ids: the members' ids, shape (members,).
        history: indicator values, shape (months + 1, indicators, members), in the order
            of :data:`sim.indicators.NAMES`; month 0 is the start.
        choice_index: actor -> move indices, shape (months, members).
        reason_index: actor -> reason codes, shape (months, members): an interest index,
            or -1 unpredictability, -2 scripted, -3 player, -4 between reviews.
        advantage: actor -> per-interest advantage of the move made over the average possible
            move (0 between reviews and for moves from outside), shape (months, interests, members); None for a loaded run (a run folder
            does not keep them).
        settings: parameter paths set for this run (``--set``, lever positions).
    """

    scenario: Scenario
    seed: int
    member_ids: np.ndarray
    history: np.ndarray
    choice_index: dict[str, np.ndarray]
    reason_index: dict[str, np.ndarray]
    advantage: dict[str, np.ndarray] | None
    settings: dict[str, float]

    # -- shape -----------------------------------------------------------------------------------
    @property
    def members(self) -> int:
        """Number of members in the run."""
        return len(self.member_ids)

    @property
    def months(self) -> int:
        """Number of months run."""
        return self.history.shape[0] - 1

    @property
    def dates(self) -> list[str]:
        """``YYYY-MM`` labels of months 0..months (the scenario's dates)."""
        return self.scenario.dates()

    # -- access ------------------------------------------------------------------------------------
    def indicator(self, name: str) -> np.ndarray:
        """Values of an indicator: array (members, months + 1).

        Raises:
            KeyError: for an unknown indicator (the message lists where to look).
        """
        canon = canonical_indicator(name)
        if canon is None:
            raise KeyError(f"unknown indicator {name!r}; see sim.indicators.NAMES or 'peninsula indicators'")
        return self.history[:, INDEX[canon], :].T

    def choices(self, actor: str) -> np.ndarray:
        """Option names an actor chose: array of str (members, months)."""
        cls = _actor(actor)
        names = np.array(cls.option_names(), dtype=object)
        return names[self.choice_index[actor].T]

    def reasons(self, actor: str) -> np.ndarray:
        """Why each choice was made: array of str (members, months).

        Each is the interest that most favoured the move over the average possible move, or
        'unpredictability', 'scripted', 'player', 'between reviews'.
        """
        _actor(actor)
        table = np.array(reason_labels(actor), dtype=object)  # index -4..-1 wrap to the last four
        return table[self.reason_index[actor].T.astype(np.int64)]

    def scorecard(self, actor: str, member: int, month: int) -> dict[str, float]:
        """Per-interest advantage of the move made by one member in one month (index)."""
        cls = _actor(actor)
        if self.advantage is None:
            raise PeninsulaError("a saved run does not keep the scorecards; run the scenario again (sim.run) "
                                 "for them", field="scorecard")
        j = self._member_pos(member)
        return {name: float(self.advantage[actor][month, k, j]) for k, name in enumerate(cls.interest_names())}

    def _member_pos(self, member: int) -> int:
        pos = np.flatnonzero(self.member_ids == member)
        if len(pos) == 0:
            raise KeyError(f"member {member} is not in these results")
        return int(pos[0])

    def option_shares(self, actor: str) -> dict[str, np.ndarray]:
        """Share of members choosing each option, month by month: option -> array (months,)."""
        cls = _actor(actor)
        idx = self.choice_index[actor]
        return {name: (idx == k).mean(axis=1) for k, name in enumerate(cls.option_names())}

    def summary(self, names: list[str], month: int | None = None) -> list[dict]:
        """Median and 10-90% band of indicators at a month index (default: the horizon)."""
        t = self.months if month is None else month
        out = []
        for name in names:
            v = self.indicator(name)[:, t]
            p10, p50, p90 = np.percentile(v, [10, 50, 90])
            out.append({"indicator": canonical_indicator(name), "month": self.dates[t], "median": float(p50),
                        "p10": float(p10), "p90": float(p90)})
        return out

    # -- tables --------------------------------------------------------------------------------------
    def indicator_table(self) -> pa.Table:
        """Tidy indicators: member, month, date, variable, value (one row each)."""
        t1, v, m = self.history.shape
        member = np.tile(np.repeat(self.member_ids, t1), v)
        month = np.tile(np.arange(t1, dtype=np.int16), v * m)
        values = self.history.transpose(1, 2, 0).reshape(-1)
        var_codes = np.repeat(np.arange(v, dtype=np.int32), m * t1)
        return pa.table({
            "member": pa.array(member, pa.int64()),
            "month": pa.array(month, pa.int16()),
            "date": pa.DictionaryArray.from_arrays(pa.array(np.tile(month.astype(np.int32), 1)),
                                                   pa.array(self.dates)),
            "variable": pa.DictionaryArray.from_arrays(pa.array(var_codes), pa.array(list(NAMES))),
            "value": pa.array(values, pa.float64()),
        })

    def choice_table(self) -> pa.Table:
        """Tidy choices: member, month, date, actor, option, reason."""
        t, m = next(iter(self.choice_index.values())).shape
        cols: dict[str, list] = {k: [] for k in ("member", "month", "actor", "option", "reason")}
        opt_code: dict[str, int] = {}
        rsn_code: dict[str, int] = {}
        for a, code in enumerate(ACTOR_CLASSES):
            cls = ACTOR_CLASSES[code]
            o_map = np.array([opt_code.setdefault(o, len(opt_code)) for o in cls.option_names()])
            labels = reason_labels(code)
            r_map = np.array([rsn_code.setdefault(lb, len(rsn_code)) for lb in labels])
            cols["member"].append(np.repeat(self.member_ids, t))
            cols["month"].append(np.tile(np.arange(t, dtype=np.int16), m))
            cols["actor"].append(np.full(t * m, a, dtype=np.int32))
            cols["option"].append(o_map[self.choice_index[code].T.reshape(-1).astype(np.int64)])
            cols["reason"].append(r_map[self.reason_index[code].T.reshape(-1).astype(np.int64)])
        option_dict = list(opt_code)
        reason_dict = list(rsn_code)
        month = np.concatenate(cols["month"])
        return pa.table({
            "member": pa.array(np.concatenate(cols["member"]), pa.int64()),
            "month": pa.array(month, pa.int16()),
            "date": pa.DictionaryArray.from_arrays(pa.array(month.astype(np.int32)), pa.array(self.dates[:-1])),
            "actor": pa.DictionaryArray.from_arrays(pa.array(np.concatenate(cols["actor"]).astype(np.int32)),
                                                    pa.array(list(ACTOR_CLASSES))),
            "option": pa.DictionaryArray.from_arrays(pa.array(np.concatenate(cols["option"]).astype(np.int32)),
                                                     pa.array(option_dict)),
            "reason": pa.DictionaryArray.from_arrays(pa.array(np.concatenate(cols["reason"]).astype(np.int32)),
                                                     pa.array(reason_dict)),
        })

    def to_frame(self):
        """Tidy pandas DataFrame: member, month, date, variable, value."""
        return self.indicator_table().to_pandas()

    # -- saving ---------------------------------------------------------------------------------------
    def manifest(self) -> dict:
        """What makes this run reproducible (without output hashes; :meth:`save` adds them)."""
        return {
            "format": RUN_FORMAT,
            "scenario_name": self.scenario.name,
            "scenario_hash": self.scenario.content_hash(),
            "seed": self.seed,
            "members": {"count": self.members, "ids": compress_ids(self.member_ids)},
            "settings": self.settings,
            "start": self.scenario.start,
            "months": self.months,
            "versions": versions(),
            "scenario": self.scenario.to_dict(),
        }

    def save(self, directory: str | Path, *, overwrite: bool = True) -> Path:
        """Write ``results.parquet``, ``choices.parquet`` and ``manifest.json`` to a directory.

        Everything is written in a temporary folder beside it, fsynced, and renamed into place
        when complete, so a failed or interrupted save (or a crash) leaves no half-written run.
        An existing directory is replaced only if it holds an earlier Peninsula run (or is empty),
        and an earlier run only with ``overwrite``.
        """
        return write_run(directory, self.indicator_table(), self.choice_table(), self.manifest(),
                         overwrite=overwrite)

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read a run folder written by :meth:`save`: the inverse of saving (advantages are not saved).

        Raises:
            PeninsulaError: for a folder that is not a complete, readable Peninsula run.
        """
        folder = Path(directory)
        scenario, ids, seed, settings = run_identity(folder, check_settings=False)
        for name in (RESULTS_FILE, CHOICES_FILE):
            if not (folder / name).is_file():
                raise PeninsulaError(f"{name} is missing: the run is incomplete", file=str(folder))
        try:
            table = pq.read_table(folder / RESULTS_FILE, columns=["member", "month", "variable", "value"])
            choices = pq.read_table(folder / CHOICES_FILE, columns=["member", "month", "actor", "option", "reason"])
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise PeninsulaError(f"cannot read the run's Parquet files ({exc})", file=str(folder)) from None
        t, m = scenario.months, len(ids)
        try:
            var_names, var_codes = _codes(table.column("variable"))
            rows = _positions(table.column("member").to_numpy(), ids)
            history = np.full((t + 1, len(NAMES), m), np.nan, dtype=FLOAT)
            index = np.array([INDEX.get(v, -1) for v in var_names])
            if (index < 0).any() or len(set(var_names)) != len(NAMES):
                raise ValueError(f"its indicators are not this version's ({len(var_names)} of {len(NAMES)})")
            history[table.column("month").to_numpy().astype(np.int64), index[var_codes], rows] = \
                table.column("value").to_numpy()
            if np.isnan(history).any():
                raise ValueError("some member-months are missing")
            choice_index, reason_index = {}, {}
            actors, actor_codes = _codes(choices.column("actor"))
            options, option_codes = _codes(choices.column("option"))
            reasons, reason_codes = _codes(choices.column("reason"))
            crow = _positions(choices.column("member").to_numpy(), ids)
            cmonth = choices.column("month").to_numpy().astype(np.int64)
            for a, code in enumerate(actors):
                spec = _actor(code)
                sel = actor_codes == a
                o_map = np.array([spec.option_names().index(o) if o in spec.option_names() else -99 for o in options])
                labels = reason_labels(code)
                special = len(labels) - len(REASON_LABELS)  # the labels from here on have negative codes
                r_map = np.array([labels.index(r) - (len(labels) if labels.index(r) >= special else 0)
                                  if r in labels else -99 for r in reasons])
                ci = np.full((t, m), -99, dtype=np.int64)
                ri = np.full((t, m), -99, dtype=np.int64)
                ci[cmonth[sel], crow[sel]] = o_map[option_codes[sel]]
                ri[cmonth[sel], crow[sel]] = r_map[reason_codes[sel]]
                if (ci == -99).any() or (ri == -99).any():
                    raise ValueError(f"the choices of {code} are incomplete or name unknown options")
                choice_index[code], reason_index[code] = ci.astype(np.int8), ri.astype(np.int8)
            if sorted(choice_index) != sorted(ACTOR_CLASSES):
                raise ValueError("choices.parquet does not hold every actor")
        except (KeyError, ValueError, IndexError) as exc:
            raise PeninsulaError(f"the run's Parquet files do not match its manifest ({exc})",
                                 file=str(folder)) from None
        return cls(scenario=scenario, seed=seed, member_ids=ids, history=history,
                   choice_index={c: choice_index[c] for c in ACTOR_CLASSES},
                   reason_index={c: reason_index[c] for c in ACTOR_CLASSES}, advantage=None, settings=settings)


def _codes(column) -> tuple[list[str], np.ndarray]:
    """A (possibly dictionary-encoded) string column -> (names, integer codes)."""
    import pyarrow.compute as pc

    arr = column.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    return [str(x) for x in arr.dictionary.to_pylist()], arr.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _positions(members: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Each row's member id -> its position in ``ids`` (KeyError for a member the manifest does not list)."""
    order = np.argsort(ids, kind="stable")
    found = np.searchsorted(ids, members, sorter=order)
    found = np.minimum(found, len(ids) - 1)
    pos = order[found]
    if (ids[pos] != members).any():
        raise KeyError("a member the manifest does not list")
    return pos


def _actor(code: str):
    cls = ACTOR_CLASSES.get(code)
    if cls is None:
        raise KeyError(f"unknown actor {code!r}; the actors are {', '.join(ACTOR_CLASSES)}")
    return cls


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet written the same way every time (same bytes for the same table and pyarrow)."""
    pq.write_table(table, path, compression="zstd", compression_level=3, use_dictionary=True,
                   write_statistics=True, row_group_size=1 << 20)


def write_run(directory: str | Path, results: pa.Table, choices: pa.Table, manifest: dict, *,
              overwrite: bool = True) -> Path:
    """Write a run folder atomically and durably (temporary folder, fsync, then rename)."""
    target = Path(directory)
    if target.exists():
        if not target.is_dir():
            raise PeninsulaError("exists and is not a folder; choose another --out", file=str(target))
        entries = list(target.iterdir())
        if entries and not (target / MANIFEST_FILE).exists():
            raise PeninsulaError("the folder exists and does not hold a Peninsula run; refusing to replace it "
                                 "(choose another --out or empty it)", file=str(target))
        if entries and not overwrite:
            raise PeninsulaError("the folder already holds a run; add --overwrite to replace it, or choose "
                                 "another --out", file=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    try:
        write_parquet(results, tmp / RESULTS_FILE)
        write_parquet(choices, tmp / CHOICES_FILE)
        manifest = dict(manifest)
        manifest["outputs"] = {
            name: {"sha256": sha256_file(tmp / name), "bytes": (tmp / name).stat().st_size}
            for name in (RESULTS_FILE, CHOICES_FILE)
        }
        with open(tmp / MANIFEST_FILE, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=False)
            fh.write("\n")
        for name in (RESULTS_FILE, CHOICES_FILE, MANIFEST_FILE):
            fsync_file(tmp / name)
        fsync_dir(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            fsync_dir(target.parent)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
            fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


# -- manifests, validated -----------------------------------------------------------------------------------------
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
"""A SHA-256 as 64 lower-case hex digits."""
Count = Annotated[StrictInt, Field(ge=0)]


class _Model(BaseModel):
    """A manifest's part: unknown fields refused, numbers as numbers (no strings, no booleans)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class OutputRecord(_Model):
    """An output file's SHA-256 and size."""

    sha256: Sha256
    bytes: Count


class MemberSpec(_Model):
    """The members of a run: their count and their ids as [first, last] runs."""

    count: Annotated[StrictInt, Field(ge=1, le=MAX_MEMBERS)]
    ids: list[tuple[Annotated[StrictInt, Field(ge=0, lt=ID_LIMIT)], Annotated[StrictInt, Field(ge=0, lt=ID_LIMIT)]]] \
        = Field(min_length=1, max_length=MAX_MEMBERS)


class RunManifest(_Model):
    """The manifest of a run folder (``manifest.json``), as :meth:`Results.save` writes it."""

    format: Literal["peninsula-run/1"]
    scenario_name: StrictStr
    scenario_hash: Sha256
    seed: Annotated[StrictInt, Field(ge=0, lt=ID_LIMIT)]
    members: MemberSpec
    settings: dict[StrictStr, StrictFloat | StrictInt] = Field(default_factory=dict)
    start: StrictStr
    months: Annotated[StrictInt, Field(ge=1, le=MAX_MONTHS)]
    versions: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    scenario: dict[StrictStr, Any]
    outputs: dict[Literal["results.parquet", "choices.parquet"], OutputRecord]


def describe_validation(exc: ValidationError) -> str:
    """The first problem of a pydantic error, as 'field X: what was wrong' (and how many more)."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(the whole file)"
    shown = repr(first.get("input"))
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    what = first["msg"][0].lower() + first["msg"][1:]
    return f"field '{loc}': {what}, got {shown}{more}"


def manifest_scenario(data: Any, recorded_hash: str, where: str) -> Scenario:
    """The scenario a manifest records, validated like a scenario file and checked against its SHA-256.

    Raises:
        PeninsulaError: naming ``where`` (the manifest file), for a scenario that is not valid or
            whose SHA-256 is not the recorded one (the scenario or the hash was edited).
    """
    from sim.scenario.checks import validate

    if not isinstance(data, dict):
        raise PeninsulaError(f"field 'scenario': expected the scenario as an object, got {type(data).__name__}",
                             file=where)
    try:
        scenario = validate(dict(data), {}, where)
    except ScenarioError as exc:
        raise PeninsulaError(f"its scenario is not valid: field 'scenario.{exc.field or ''}': {exc.message}",
                             file=where) from None
    if scenario.content_hash() != recorded_hash:
        raise PeninsulaError("its scenario does not have the SHA-256 it records (scenario_hash): the scenario or the "
                             "hash was edited; refusing to use it", file=where)
    return scenario


@dataclass(frozen=True)
class RunRecord:
    """What a validated run manifest says: the scenario, member ids, seed, settings and output hashes."""

    scenario: Scenario
    member_ids: np.ndarray
    seed: int
    settings: dict[str, float]
    outputs: dict[str, OutputRecord]
    data: dict


def read_run_manifest(directory: str | Path, *, check_settings: bool = True) -> RunRecord:
    """Read and validate a run folder's manifest.

    Checks the types and bounds of every field (member ids in [0, 2**63), at most
    :data:`MAX_MEMBERS` members, months in range, SHA-256 hex digests), the scenario (valid as a
    scenario file, and with the recorded ``scenario_hash``), that ``start``, ``months`` and
    ``scenario_name`` are the scenario's, and (``check_settings``) that every setting has the
    value the scenario holds for it: the settings are applied to the saved scenario, so a setting
    that differs was edited.

    Raises:
        PeninsulaError: naming the manifest file, for anything that does not hold.
    """
    path = Path(directory) / MANIFEST_FILE
    where = str(path)
    data = read_manifest(directory)
    try:
        man = RunManifest.model_validate(data)
    except ValidationError as exc:
        raise PeninsulaError(f"not a valid run manifest: {describe_validation(exc)}", file=where) from None
    total = 0
    for j, (a, b) in enumerate(man.members.ids):
        if b < a:
            raise PeninsulaError(f"field 'members.ids.{j}': expected [first, last] with first <= last, got [{a}, {b}]",
                                 file=where)
        total += b - a + 1
        if total > MAX_MEMBERS:
            raise PeninsulaError(f"field 'members.ids': more than {MAX_MEMBERS:,} members (the most a run may have)",
                                 file=where)
    scenario = manifest_scenario(man.scenario, man.scenario_hash, where)
    for name, mine in (("scenario_name", scenario.name), ("start", scenario.start), ("months", scenario.months)):
        if getattr(man, name) != mine:
            raise PeninsulaError(f"field '{name}' is {getattr(man, name)!r} but its scenario's is {mine!r}",
                                 file=where)
    settings = {k: float(v) for k, v in man.settings.items()}
    for key, value in settings.items():
        if not math.isfinite(value):
            raise PeninsulaError(f"field 'settings.{key}': expected a finite number, got {value!r}", file=where)
        if not check_settings:
            continue
        try:
            held = scenario_value(scenario, key)
        except (ValueError, KeyError) as exc:
            raise PeninsulaError(f"field 'settings.{key}': not a parameter path ({exc})", file=where) from None
        if held != value:
            raise PeninsulaError(f"field 'settings.{key}' is {value:g} but its scenario runs with {held:g}: the "
                                 "settings were edited; refusing to use them", file=where)
    ids = np.concatenate([np.arange(a, b + 1, dtype=np.int64) for a, b in man.members.ids])
    if len(np.unique(ids)) != len(ids):
        raise PeninsulaError("field 'members.ids': a member id is listed twice", file=where)
    return RunRecord(scenario, ids, man.seed, settings, dict(man.outputs), data)


def run_identity(directory: str | Path, *, check_settings: bool = True
                 ) -> tuple[Scenario, np.ndarray, int, dict[str, float]]:
    """What a run folder's manifest says was run: (scenario, member ids, seed, settings).

    The manifest is validated first (:func:`read_run_manifest`).

    Raises:
        PeninsulaError: for a folder that is not a run, or a manifest that is incomplete, damaged or edited.
    """
    rec = read_run_manifest(directory, check_settings=check_settings)
    return rec.scenario, rec.member_ids, rec.seed, rec.settings


def read_manifest(directory: str | Path) -> dict:
    """Read a folder's manifest as a JSON object, with a clear error if it is not one (not validated further)."""
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        raise PeninsulaError(f"no {MANIFEST_FILE} here: not a Peninsula run folder", file=str(directory))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise PeninsulaError(f"the manifest is not valid JSON ({str(exc).splitlines()[0]})", file=str(path)) from None
    if not isinstance(data, dict):
        raise PeninsulaError(f"the manifest is not a JSON object (got a {type(data).__name__})", file=str(path))
    return data
