"""Bounds and switches for the model's single-precision arrays, at vector speed.

The rules and interests bound numbers all the time (a share at most 1, troops at least
0). ``np.minimum(x, 1.0)`` and ``np.maximum(x, 0.0)`` on a float32 array with a scalar
bound run without NumPy's vector loops (NumPy 2.4 on x86-64: 9 us for 10,000 numbers,
against 2-4 us for ``clip``'s ufunc or a minimum of two arrays), and ``np.where`` with a
scalar costs 20 us. These helpers give the same values, faster:

* :func:`clip`, :func:`at_most`, :func:`at_least` are the ufunc behind ``np.clip``
  (``min(max(x, lo), hi)``, element by element, with the bounds as given);
* :func:`renew` is ``np.where(chosen, 1, x)`` for a 0/1 ``chosen`` and ``x >= 0``.
"""

from __future__ import annotations

import numpy as np

try:  # np.clip's own ufunc, without its Python wrappers (same values; ~3 us less per call)
    from numpy._core.umath import clip as _clip
except ImportError:  # pragma: no cover - other NumPy layouts
    _clip = np.clip

_INF = float("inf")


def clip(x, lo=0.0, hi=1.0):
    """``x`` bounded to [lo, hi] (default [0, 1])."""
    return _clip(x, lo, hi)


def at_most(x, hi, out=None):
    """``np.minimum(x, hi)`` for an array ``x`` (into ``out`` if given)."""
    return _clip(x, -_INF, hi, out=out)


def at_least(x, lo):
    """``np.maximum(x, lo)`` for an array ``x``."""
    return _clip(x, lo, _INF)


def renew(chosen, x):
    """1 where ``chosen`` is 1, else ``x``: ``np.where(chosen, 1, x)`` for ``chosen`` in {0, 1}
    and ``x >= 0`` (then ``x * (1 - chosen)`` is exactly 0 or ``x``)."""
    return np.maximum(chosen, x * (1.0 - chosen))
