"""Replaying a saved run from its manifest, and checking every output's SHA-256.

The manifest is validated before anything runs (:func:`sim.engine.results.read_run_manifest`):
an edited scenario, scenario hash, settings or months, or a crafted field (member ids out of
range, too many members, a wrong type) is a :class:`~sim.errors.PeninsulaError` naming the
manifest, not a replay reported "identical".
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sim.engine import Setup, simulate
from sim.engine.results import read_run_manifest, sha256_file


def replay(directory: str | Path, out: str | Path | None = None) -> dict[str, bool]:
    """Re-run a saved run from its manifest and compare every output's SHA-256.

    Args:
        directory: the run folder (``Results.save``, ``peninsula run``).
        out: where to write the replayed run (default a temporary folder, removed after).

    Returns:
        output file name -> True when the file on disk and the replayed file both have the
        SHA-256 that the manifest recorded.

    Raises:
        PeninsulaError: for a folder that is not a complete, readable run, or a manifest that
            does not validate (edited or crafted).
    """
    record = read_run_manifest(directory)
    results = simulate(Setup.build(record.scenario, record.member_ids, record.seed))
    results.settings = record.settings
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(out) if out else Path(tmp) / "replay"
        results.save(target)
        here = Path(directory)
        return {name: (here / name).is_file() and sha256_file(here / name) == info.sha256
                and sha256_file(target / name) == info.sha256 for name, info in record.outputs.items()}
