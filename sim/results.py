"""Results of a run: indicators, choices and their reasons, tidy tables, and saving with a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.actors import ACTOR_CLASSES
from sim.actors.base import REASON_LABELS
from sim.errors import PeninsulaError
from sim.indicators import INDEX, NAMES, canonical_indicator
from sim.scenario import Scenario

RESULTS_FILE = "results.parquet"
CHOICES_FILE = "choices.parquet"
MANIFEST_FILE = "manifest.json"


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
        choice_index: actor -> option indices, shape (months, members).
        reason_index: actor -> reason codes, shape (months, members): an interest index,
            or -1 unpredictability, -2 scripted, -3 player.
        advantage: actor -> per-interest advantage of the chosen option over the average
            option, shape (months, interests, members).
        settings: parameter paths set for this run (``--set``, lever positions).
    """

    scenario: Scenario
    seed: int
    member_ids: np.ndarray
    history: np.ndarray
    choice_index: dict[str, np.ndarray]
    reason_index: dict[str, np.ndarray]
    advantage: dict[str, np.ndarray]
    settings: dict[str, float]

    # -- shape -----------------------------------------------------------------------------------
    @property
    def members(self) -> int:
        return len(self.member_ids)

    @property
    def months(self) -> int:
        return self.history.shape[0] - 1

    @property
    def dates(self) -> list[str]:
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
        """Why each choice was made: the interest that most favoured it over the average
        option, or 'unpredictability', 'scripted', 'player'. Array of str (members, months)."""
        cls = _actor(actor)
        labels = list(cls.interest_names()) + [REASON_LABELS[c] for c in (-3, -2, -1)]
        table = np.array(labels, dtype=object)  # index -3..-1 wrap to the last three
        return table[self.reason_index[actor].T.astype(np.int64)]

    def scorecard(self, actor: str, member: int, month: int) -> dict[str, float]:
        """Per-interest advantage of the option chosen by one member in one month (index)."""
        cls = _actor(actor)
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
            labels = list(cls.interest_names()) + [REASON_LABELS[c] for c in (-3, -2, -1)]
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

    def choices_frame(self):
        """Tidy pandas DataFrame of choices: member, month, date, actor, option, reason."""
        return self.choice_table().to_pandas()

    # -- saving ---------------------------------------------------------------------------------------
    def manifest(self) -> dict:
        """What makes this run reproducible (without output hashes; :meth:`save` adds them)."""
        return {
            "format": "peninsula-run/1",
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

        Everything is written in a temporary folder beside it and renamed into place when
        complete, so a failed or interrupted save leaves no half-written run. An existing
        directory is replaced only if it holds an earlier Peninsula run (or is empty).
        """
        return write_run(directory, self.indicator_table(), self.choice_table(), self.manifest(),
                         overwrite=overwrite)


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
    """Write a run folder atomically (temporary folder, then rename)."""
    target = Path(directory)
    if target.exists():
        if not target.is_dir():
            raise PeninsulaError("exists and is not a folder; choose another --out", file=str(target))
        entries = list(target.iterdir())
        if entries and not (target / MANIFEST_FILE).exists():
            raise PeninsulaError("the folder exists and does not hold a Peninsula run; refusing to replace it "
                                 "(choose another --out or empty it)", file=str(target))
        if entries and not overwrite:
            raise PeninsulaError("the folder already holds a run", file=str(target))
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
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_manifest(directory: str | Path) -> dict:
    """Read a run folder's manifest, with a clear error if it is not one."""
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        raise PeninsulaError(f"no {MANIFEST_FILE} here: not a Peninsula run folder", file=str(directory))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PeninsulaError(f"the manifest is not valid JSON ({exc})", file=str(path)) from None
