"""sim.engine.results: Results.load is the inverse of Results.save."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim


@pytest.mark.parametrize("members", [7, [37, 5, 900]])
def test_load_gives_back_what_save_wrote(tmp_path, short_baseline, members):
    res = sim.run(short_baseline, members=members, seed=9)
    res.settings = {"params.war_intensity_target": 0.4}
    res.save(tmp_path / "run")
    back = sim.Results.load(tmp_path / "run")
    assert back.history.dtype == res.history.dtype and np.array_equal(back.history, res.history)
    assert list(back.member_ids) == list(res.member_ids)
    assert back.seed == 9 and back.settings == res.settings
    assert back.scenario.content_hash() == res.scenario.content_hash()
    for code in sim.ACTORS:
        assert np.array_equal(back.choice_index[code], res.choice_index[code]), code
        assert np.array_equal(back.reason_index[code], res.reason_index[code]), code
        assert (back.reasons(code) == res.reasons(code)).all()
    assert back.advantage is None
    with pytest.raises(sim.PeninsulaError, match="scorecards"):
        back.scorecard("CHN", int(back.member_ids[0]), 0)
    back.save(tmp_path / "again")  # and saving what was loaded writes the same bytes
    for name in ("results.parquet", "choices.parquet"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


def test_load_refuses_what_is_not_a_whole_run(tmp_path, short_baseline):
    with pytest.raises(sim.PeninsulaError, match="not a Peninsula run"):
        sim.Results.load(tmp_path)
    sim.run(short_baseline, members=3, seed=1).save(tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    manifest["members"]["ids"] = [[0, 1]]  # one member fewer than the files hold
    (tmp_path / "run" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(sim.PeninsulaError, match="do not match its manifest"):
        sim.Results.load(tmp_path / "run")
    (tmp_path / "run" / "choices.parquet").unlink()
    with pytest.raises(sim.PeninsulaError, match="choices.parquet is missing"):
        sim.Results.load(tmp_path / "run")
