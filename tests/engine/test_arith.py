"""sim.engine.arith: the bounds give NumPy's values; log and cos are accurate and machine-independent.

A run must give the same bits on every machine (DESIGN.md). NumPy's transcendental
functions do not (their last bits differ between AVX-512, other x86-64 and ARM), so the
engine uses :func:`sim.engine.arith.log` and :func:`sim.engine.arith.cos_2pi`, built from exactly rounded
operations. These tests check their accuracy, that a whole run calls none of NumPy's
transcendental functions, and pin the random numbers of one seed to a digest: on a machine
that gave other bits, the digest test fails.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import sim
from sim.engine import arith
from sim.engine.arith import first_argmax
from sim.engine.rng import MemberStreams, stream_id

finite = st.floats(-1e6, 1e6, allow_nan=False, width=32)
bound = st.floats(-10.0, 10.0, allow_nan=False, width=32)


@given(x=arrays(np.float32, st.integers(1, 50), elements=finite), lo=bound, hi=bound)
@settings(max_examples=60, deadline=None)
def test_bounds_give_numpys_values(x, lo, hi):
    assert np.array_equal(arith.at_most(x, hi), np.minimum(x, np.float32(hi)))
    assert np.array_equal(arith.at_least(x, lo), np.maximum(x, np.float32(lo)))
    lo, hi = min(lo, hi), max(lo, hi)
    assert np.array_equal(arith.clip(x, lo, hi), np.clip(x, np.float32(lo), np.float32(hi)))


def _ulp_error(got: np.ndarray, exact: np.ndarray, dtype) -> float:
    ulp = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
    return float(np.max(np.abs(got.astype(np.float64) - exact) / np.maximum(ulp, np.finfo(dtype).tiny)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_is_within_a_few_ulp(dtype):
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.random(100_000), rng.random(50_000) * 40.0, 1.0 - rng.random(50_000) * 1e-6,
                        np.sqrt(0.5) + (rng.random(20_000) - 0.5) * 1e-3,  # around the reduction's edges
                        np.sqrt(2.0) + (rng.random(20_000) - 0.5) * 1e-3,
                        [2.0 ** -25, 2.0 ** -54, 1.0 - 2.0 ** -24, 0.5, 1.0, 2.0, 1e30]]).astype(dtype)
    exact = np.log(x.astype(np.float64)) if dtype is np.float32 else np.log(x)  # float64 reference
    got = arith.log(x)
    assert got.dtype == dtype
    assert _ulp_error(got, exact, dtype) <= 4.0
    assert arith.log(np.array([1.0], dtype))[0] == 0.0


def test_cos_2pi_is_accurate():
    u = np.concatenate([np.random.default_rng(8).random(200_000), [0.0, 0.25, 0.5, 0.75, 1.0 - 2.0 ** -53]])
    assert np.max(np.abs(arith.cos_2pi(u) - np.cos(2.0 * np.pi * u))) < 2e-15
    assert arith.cos_2pi(np.array([0.0, 0.5]))[0] == 1.0 and arith.cos_2pi(np.array([0.5]))[0] == -1.0


def test_noise_is_gumbel_and_shocks_normal():
    streams = MemberStreams(3, np.arange(200_000))
    g = streams.gumbel("CHN", 4, 5)
    assert g.dtype == np.float32
    assert np.allclose(g.mean(axis=1), np.euler_gamma, atol=0.01)
    assert np.allclose(g.std(axis=1), np.pi / np.sqrt(6.0), atol=0.01)
    z = streams.normal(stream_id("shock:war"), 9)
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert abs((z > 1.959964).mean() - 0.025) < 0.002


def test_log_in_place_gives_the_same_bits():
    for dtype in (np.float32, np.float64):
        x = (np.random.default_rng(9).random((3, 500)) * 50.0 + 1e-4).astype(dtype)
        y = x.copy()
        assert arith.log(y, out=y) is y
        assert y.tobytes() == arith.log(x).tobytes()
        assert arith.log(x[0, 7]) == arith.log(x)[0, 7]  # a scalar too


def test_a_months_noise_is_the_same_alone_or_in_a_block():
    """Noise drawn ahead (several months in one call) is the noise of each month drawn alone,
    and member by member the same in a run of 1 or of 1,000 members."""
    wide = MemberStreams(11, np.arange(1000))
    for actor, n in (("DPRK", 7), ("CHN", 5), ("UKR", 4)):
        block = wide.gumbel_months(actor, 3, 12, n)
        assert block.shape == (12, n, 1000)
        for k, t in enumerate(range(3, 15)):
            assert block[k].tobytes() == wide.gumbel_months(actor, t, 1, n)[0].tobytes()
        for member in (0, 37, 999):
            alone = MemberStreams(11, [member])
            assert np.array_equal(alone.gumbel_months(actor, 3, 12, n)[..., 0], block[..., member])
            assert np.array_equal(alone.gumbel(actor, 9, n)[:, 0], block[6, :, member])
    war = stream_id("shock:war")
    shocks = wide.normal(war, np.arange(36))
    assert shocks.shape == (36, 1000)
    for t in (0, 17, 35):
        assert shocks[t].tobytes() == wide.normal(war, t).tobytes()
        assert shocks[t, 37] == MemberStreams(11, [37]).normal(war, t)[0]


@pytest.mark.parametrize("members", [1, 1000, 5000])
def test_draws_ahead_give_each_months_draws_in_any_order(members):
    """With the horizon known, gumbel() and shock() draw months ahead and keep them: the same
    numbers as without the horizon (each month alone), in order or not (a game's previews)."""
    ids = np.arange(members)
    ahead, alone = MemberStreams(5, ids, months=36), MemberStreams(5, ids)
    war = stream_id("shock:war")
    for t in list(range(36)) + [30, 2, 35, 0]:
        for actor, n in (("RUS", 6), ("JPN", 4)):
            got = ahead.gumbel(actor, t, n)
            assert not got.flags.writeable
            assert got.tobytes() == alone.gumbel(actor, t, n).tobytes() == alone.gumbel_months(actor, t, 1, n).tobytes()
        assert ahead.shock(war, t).tobytes() == alone.normal(war, t).tobytes()
    if members == 1:
        assert len(ahead._kept) == 3  # one block each, drawn ahead
    if members == 5000:
        assert ("gumbel", "RUS", 6) not in ahead._kept  # a large ensemble draws each month alone


TRANSCENDENTAL = ("log", "log2", "log10", "log1p", "exp", "exp2", "expm1", "sin", "cos", "tan", "arcsin",
                  "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "power", "float_power", "cbrt")


def test_a_run_calls_no_numpy_transcendental_function(monkeypatch, derive):
    """Every uncertainty kind, events, noise and shocks: no call to a function whose last bits
    depend on the processor."""
    sc = derive({"uncertainties": [
        {"path": "params.war_volatility", "dist": "normal", "mean": 0.05, "sd": 0.01},
        {"path": "params.shell_capacity", "dist": "triangular", "low": 2.0e5, "mode": 4.0e5, "high": 8.0e5},
        {"path": "params.grain_production_t", "dist": "uniform", "low": 3.6e6, "high": 4.0e6},
        {"path": "params.rice_t_per_year", "dist": "choice", "values": [600000, 700000]}]}, months=8)

    def refuse(*args, **kwargs):
        raise AssertionError("a run called a NumPy transcendental function")

    for name in TRANSCENDENTAL:
        monkeypatch.setattr(np, name, refuse)
    res = sim.run(sc, members=25, seed=4)
    assert res.history.shape == (9, len(sim.indicators.NAMES), 25)


def test_the_random_numbers_of_a_seed_are_pinned():
    """The same bits on every machine: this digest was computed on x86-64 (AVX2); a machine
    that rounds any of these numbers differently fails here."""
    streams = MemberStreams(2024, np.arange(1000))
    h = hashlib.sha256()
    for actor, n in (("DPRK", 7), ("RUS", 6), ("UKR", 4)):
        h.update(streams.gumbel(actor, 11, n).tobytes())
    h.update(streams.normal(stream_id("shock:war"), 11).tobytes())
    h.update(streams.uniform(stream_id("uncertainty:params.war_volatility"), np.array([0])).tobytes())
    assert h.hexdigest() == DIGEST


DIGEST = "4f9a95d36813ede80576ed1a481568f86e511bcf69ee1bb86d397e4d25ca73ca"


def _rows_one_by_one(x):
    best, top = np.zeros(x.shape[1], dtype=np.int64), x[0].copy()
    for i in range(1, len(x)):
        np.putmask(best, x[i] > top, i)
        top = np.maximum(top, x[i])
    return best


@pytest.mark.parametrize("columns", [1, 3, 256, 257, 1000, 3000])
def test_first_argmax_is_argmax_and_the_same_for_any_number_of_columns(columns):
    """The first best row of each column (ties: the first), as np.argmax, whatever the number of
    columns (members); with a NaN, the search in its column stops there, in every case."""
    rng = np.random.default_rng(columns)
    for rows in (1, 2, 5, 7):
        x = rng.integers(0, 3, (rows, columns)).astype(np.float32)  # many ties
        got = first_argmax(x)
        assert got.dtype == np.int64 and np.array_equal(got, np.argmax(x, axis=0))
        assert np.array_equal(first_argmax(x, np.int8), got) and first_argmax(x, np.int8).dtype == np.int8
        assert all(first_argmax(x[:, j:j + 1])[0] == got[j] for j in range(0, columns, 97))
        x[rng.integers(0, rows), rng.integers(0, columns)] = np.nan
        got = first_argmax(x)
        assert np.array_equal(got, _rows_one_by_one(x))
        assert all(first_argmax(x[:, j:j + 1])[0] == got[j] for j in range(columns))
