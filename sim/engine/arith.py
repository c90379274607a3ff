"""Arithmetic for the model: fast bounds and switches, and the same logarithm and cosine on every machine.

The rules and interests bound numbers all the time (a share at most 1, troops at least
0). ``np.minimum(x, 1.0)`` and ``np.maximum(x, 0.0)`` on a float32 array with a scalar
bound run without NumPy's vector loops (NumPy 2.4 on x86-64: 9 us for 10,000 numbers,
against 2-4 us for ``clip``'s ufunc or a minimum of two arrays), and ``np.where`` with a
scalar costs 20 us. These helpers give the same values, faster:

* :func:`clip`, :func:`at_most`, :func:`at_least` call ``ndarray.clip``, the ufunc behind
  ``np.clip`` (``min(max(x, lo), hi)``, element by element, with the bounds as given) without
  ``np.clip``'s dispatch (1.9 us against 3.0 us for 10,000 numbers);

**The same numbers on every machine.** NumPy's ``log``, ``exp``, ``sin`` and ``cos`` give
results that differ in the last bit between processors (AVX-512 and other x86-64, ARM:
numpy/numpy#23523, #26117). A last bit can tip an actor's choice, and from then on the
member's history differs: a Dask cluster of mixed machines, or a laptop and a server,
would give different results for the same seed. :func:`log` and :func:`cos_2pi` are
built from operations that IEEE 754 rounds exactly (add, subtract, multiply, divide,
and bit manipulation), so every machine gives the same bits. The random streams
(:mod:`sim.engine.rng`) use them; nothing in a run calls NumPy's transcendental functions (a
test checks).
"""

from __future__ import annotations

import numpy as np

_INF = float("inf")


def clip(x, lo=0.0, hi=1.0):
    """``x`` bounded to [lo, hi] (default [0, 1]); ``x`` an array or a NumPy scalar."""
    return x.clip(lo, hi)


def at_most(x, hi, out=None):
    """``np.minimum(x, hi)`` for an array ``x`` (into ``out`` if given)."""
    return x.clip(-_INF, hi, out=out)


def at_least(x, lo):
    """``np.maximum(x, lo)`` for an array ``x``."""
    return x.clip(lo, _INF)


# log x = k ln 2 + log m with m in [sqrt(1/2), sqrt(2)), found with integer operations on the
# bits (as musl's logf does); log m = 2 atanh(s) = s (2 + 2 s^2/3 + 2 s^4/5 + ...) with
# s = (m - 1) / (m + 1), |s| < 0.172, to within about an ulp of each type (s^2 < 0.0295).
_LOG = {
    np.dtype(np.float32): (np.int32, 23, 0x3F800000, 0x3F3504F3, (1 << 23) - 1, 4,
                           0.6931471805599453, None),
    np.dtype(np.float64): (np.int64, 52, 0x3FF0000000000000, 0x3FE6A09E667F3BCD, (1 << 52) - 1, 12,
                           6.93147180369123816490e-01, 1.90821492927058770002e-10),
}


def log(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Natural logarithm of positive normal float32 or float64 numbers, the same bits on every machine.

    The result is within a few units in the last place of the exact value.

    ``out`` (an array like ``x``, or ``x`` itself) receives the result. The steps run in
    place in a few scratch arrays rather than a new temporary for each; they are the
    operations of the formulas in the comments, in the same order and precision.
    """
    x = np.asarray(x)
    if x.ndim == 0:
        return log(x.reshape(1))[0]
    itype, mant, one, sqrt_half, mask, terms, ln2_hi, ln2_lo = _LOG[x.dtype]
    bits = x.view(itype) + (one - sqrt_half)  # shifts the exponent's boundary to sqrt(1/2)
    s = bits & mask
    s += sqrt_half
    s = s.view(x.dtype)  # m = the mantissa part, in [sqrt(1/2), sqrt(2))
    bits >>= mant
    bits -= one >> mant
    k = np.empty_like(x) if out is None else out
    k[...] = bits  # x = 2**k m
    z = np.add(s, 1.0)
    np.subtract(s, 1.0, out=s)  # m - 1 is exact here
    np.divide(s, z, out=s)  # s = (m - 1) / (m + 1)
    np.multiply(s, s, out=z)  # z = s * s
    poly = np.multiply(z, 2.0 / (2 * terms - 1), out=bits.view(x.dtype))
    for j in range(terms - 2, 0, -1):  # poly = (poly + 2 / (2 j + 1)) * z
        np.add(poly, 2.0 / (2 * j + 1), out=poly)
        np.multiply(poly, z, out=poly)
    np.add(poly, 2.0, out=poly)
    np.multiply(poly, s, out=poly)  # (poly + 2) s = log m
    if ln2_lo is not None:  # double: k ln 2 in two parts; the first has few bits, so its product with k is exact
        np.add(poly, np.multiply(k, ln2_lo, out=z), out=poly)  # log m + k ln2_lo
    # single precision: k ln 2 (one part) rounds to within an ulp of the result
    np.multiply(k, ln2_hi, out=k)
    return np.add(k, poly, out=k)  # k ln2_hi + (log m [+ k ln2_lo])


_TWO_PI = 6.283185307179586
# sin(x) = x (1 - x^2/3! + x^4/5! - ...) for |x| <= pi/2, to x^25/25!
_SIN = [(-1.0) ** j / float(np.prod(np.arange(1, 2 * j + 2, dtype=np.float64))) for j in range(13)]


def cos_2pi(u: np.ndarray) -> np.ndarray:
    """``cos(2 pi u)`` for float64 ``u`` (|u| < 2**52), the same bits on every machine."""
    u = np.asarray(u, dtype=np.float64)
    w = np.abs(u - np.rint(u))  # cos has period 1 in u and is even: w in [0, 1/2]
    x = (0.25 - w) * _TWO_PI  # cos(2 pi w) = sin(2 pi (1/4 - w)), |x| <= pi/2
    z = x * x
    poly = _SIN[-1]
    for c in reversed(_SIN[:-1]):
        poly = poly * z + c
    return x * poly


_RANKS: dict[int, np.ndarray] = {}  # n -> the column (n, n - 1, ..., 1) as bytes


def first_argmax(x: np.ndarray, dtype=np.int64) -> np.ndarray:
    """Index of the largest row for each column (the first on ties), for (rows, columns).

    Same result as ``np.argmax(x, axis=0)`` on numbers, faster. (A NaN stops the search in
    its column: later rows never win; with a NaN anywhere the rows are compared one by one.)

    ``np.argmax`` along the first axis runs a search of a few numbers per column, one call
    each: fine for a few columns (a small ensemble), on a contiguous copy with the columns
    first. For more, the answer comes from whole-array operations: with ``top`` the column
    maxima, row ``i`` gets the rank ``n - i`` where it equals ``top`` (0 elsewhere), and the
    largest rank in a column gives its first best row. No rank at all means a NaN there
    (a NaN equals nothing); then the rows are compared one by one: row ``i`` wins a column
    where it beats the best so far, and the answer is the last row that won there.
    """
    n, m = x.shape
    if n <= 255:
        if m <= 256:
            v = x.max()
            if v == v:  # no NaN
                return np.ascontiguousarray(x.T).argmax(axis=1).astype(dtype)
        else:
            ranks = _RANKS.get(n)
            if ranks is None:
                ranks = _RANKS[n] = np.arange(n, 0, -1, dtype=np.uint8)[:, None]
            rank = np.equal(x, x.max(axis=0)).view(np.uint8)
            np.multiply(rank, ranks, out=rank)
            first = rank.max(axis=0)  # n - (the first best row), 0 where a NaN is
            if first.all():
                np.subtract(np.uint8(n), first, out=first)
                return first.astype(dtype)
    if n > 255:
        best = np.zeros(m, dtype=dtype)
        top = x[0].copy()
        for i in range(1, n):
            np.putmask(best, x[i] > top, i)
            np.maximum(top, x[i], out=top)
        return best
    best = np.zeros(m, dtype=np.uint8)
    top = x[0].copy()
    won = np.empty(m, dtype=bool)
    scratch = np.empty(m, dtype=np.uint8)
    for i in range(1, n):
        np.greater(x[i], top, out=won)
        np.multiply(won.view(np.uint8), np.uint8(i), out=scratch)
        np.maximum(best, scratch, out=best)
        np.maximum(top, x[i], out=top)
    return best.astype(dtype)


def sum_rows(rows) -> np.ndarray:
    """``rows[0] + rows[1] + ...`` in that order, adding in place after the first sum.

    Bit for bit the same as ``reduce(np.add, rows)``.
    """
    rows = list(rows)
    if len(rows) == 1:
        return rows[0]
    acc = np.add(rows[0], rows[1])
    for r in rows[2:]:
        np.add(acc, r, out=acc)
    return acc
