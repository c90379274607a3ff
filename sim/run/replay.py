"""Replaying a saved run from its manifest, and checking every output's SHA-256."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sim.engine import Setup, simulate
from sim.engine.results import read_manifest, run_identity, sha256_file


def replay(directory: str | Path, out: str | Path | None = None) -> dict[str, bool]:
    """Re-run a saved run from its manifest and compare every output's SHA-256.

    Args:
        directory: the run folder (``Results.save``, ``peninsula run``).
        out: where to write the replayed run (default a temporary folder, removed after).

    Returns:
        output file name -> True when the file on disk and the replayed file both have the
        SHA-256 that the manifest recorded.

    Raises:
        PeninsulaError: for a folder that is not a complete, readable run.
    """
    scenario, ids, seed, settings = run_identity(directory)
    outputs = read_manifest(directory).get("outputs") or {}
    results = simulate(Setup.build(scenario, ids, seed))
    results.settings = settings
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(out) if out else Path(tmp) / "replay"
        results.save(target)
        here = Path(directory)
        return {name: isinstance(info, dict) and (here / name).is_file()
                and sha256_file(here / name) == info.get("sha256") and sha256_file(target / name) == info.get("sha256")
                for name, info in outputs.items()}
