"""``sim.run``: the one entry point that the CLI, the dashboard, batch runs and the tests call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from sim.actors import ACTOR_CLASSES
from sim.errors import PeninsulaError
from sim.memory import tune_allocator, zeros_group
from sim.model import ExternalChoice, PeninsulaModel, output_specs
from sim.results import MANIFEST_FILE, Results, expand_ids, read_manifest, sha256_file
from sim.scenario import Scenario, load_scenario, with_settings

DEFAULT_CHUNK = 20_000
"""Members per vectorised pass; larger runs go chunk by chunk (results do not change)."""


def member_ids(members: int | Sequence[int]) -> np.ndarray:
    """A count N -> ids 0..N-1; a list -> those ids (checked)."""
    if isinstance(members, int | np.integer):
        if members < 1:
            raise PeninsulaError(f"members must be at least 1, got {members}", field="members")
        return np.arange(int(members), dtype=np.int64)
    ids = np.asarray(list(members))
    if ids.ndim != 1 or len(ids) == 0 or not np.issubdtype(ids.dtype, np.integer) or (ids < 0).any():
        raise PeninsulaError("members must be a count or a non-empty list of non-negative integer ids",
                             field="members")
    if len(np.unique(ids)) != len(ids):
        raise PeninsulaError("member ids must not repeat", field="members")
    return ids.astype(np.int64)


def run(scenario: Scenario | str | Path, members: int | Sequence[int] | None = None, seed: int | None = None, *,
        settings: dict[str, float] | None = None, overrides: dict[str, float | np.ndarray] | None = None,
        external: dict[str, ExternalChoice] | None = None, chunk_size: int = DEFAULT_CHUNK,
        progress: Callable[[int, int], None] | None = None) -> Results:
    """Run a scenario: ``members`` worlds in vectorised passes.

    Args:
        scenario: a :class:`Scenario`, or the path (or bundled name) of a scenario file.
        members: how many members (ids 0..N-1), or a list of member ids; default the scenario's.
        seed: default the scenario's. Member ``i`` is the same in any run of this seed.
        settings: parameter path -> value (levers, ``--set``), checked against ranges.
        overrides: parameter path -> value or per-member array (design tables).
        external: actor -> callable(model) giving its choice from outside (players).
        chunk_size: members per vectorised pass (does not change results).
        progress: called with (member-months done, member-months in all).

    Returns:
        :class:`Results` for all members, in the order given.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if settings:
        scenario = with_settings(scenario, settings)
    seed = scenario.seed if seed is None else int(seed)
    if not 0 <= seed < 2**63:
        raise PeninsulaError(f"the seed must be a non-negative integer below 2**63, got {seed}", field="seed")
    ids = member_ids(scenario.members if members is None else members)
    tune_allocator()
    total = len(ids) * scenario.months
    # Every chunk records straight into its members' columns of the run's outputs (one
    # recycled buffer, sim.memory): no chunk keeps arrays of its own, nothing is concatenated.
    outputs = zeros_group(output_specs(len(ids), scenario.months))
    done = 0
    for start in range(0, len(ids), max(1, chunk_size)):
        chunk = ids[start:start + chunk_size]
        sub = {k: (v[start:start + chunk_size] if isinstance(v, np.ndarray) and v.ndim else v)
               for k, v in (overrides or {}).items()}
        model = PeninsulaModel(scenario, chunk, seed, overrides=sub, external=external,
                               outputs=[a[..., start:start + len(chunk)] for a in outputs])
        base = done

        def tick(month, months, _n=len(chunk), _base=base):
            if progress:
                progress(_base + month * _n, total)

        model.run_model(tick)
        model.take_outputs()  # the model lets go of them (see PeninsulaModel.take_outputs)
        model.release(collect=False)  # what is left is small: no garbage-collection pass
        done += len(chunk) * scenario.months
    n = len(ACTOR_CLASSES)
    history, arrays = outputs[0], outputs[1:]
    choice, reason, adv = ({code: a for code, a in zip(ACTOR_CLASSES, arrays[k * n:(k + 1) * n], strict=True)}
                           for k in range(3))
    return Results(scenario=scenario, seed=seed, member_ids=ids, history=history, choice_index=choice,
                   reason_index=reason, advantage=adv, settings=dict(settings or {}))


def replay(directory: str | Path, out: str | Path | None = None) -> dict[str, bool]:
    """Re-run a saved run from its manifest and compare every output's SHA-256.

    Returns:
        output file name -> True when the file on disk and the replayed file both have the
        SHA-256 that the manifest recorded.
    """
    manifest = read_manifest(directory)
    try:
        scenario = Scenario.model_validate(manifest["scenario"])
        ids = expand_ids(manifest["members"]["ids"])
        seed = int(manifest["seed"])
        outputs = manifest["outputs"]
    except (KeyError, TypeError, ValueError) as exc:
        raise PeninsulaError(f"the manifest is incomplete or damaged ({exc})",
                             file=str(Path(directory) / MANIFEST_FILE)) from None
    results = run(scenario, members=ids, seed=seed)
    results.settings = dict(manifest.get("settings") or {})
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(out) if out else Path(tmp) / "replay"
        results.save(target)
        here = Path(directory)
        return {name: (here / name).is_file() and sha256_file(here / name) == info["sha256"]
                and sha256_file(target / name) == info["sha256"] for name, info in outputs.items()}
