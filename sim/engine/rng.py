"""Per-member random streams, vectorised: member ``i`` of seed ``S`` draws only from its own stream.

A counter-based generator: each draw is a hash of (seed, member, stream, counter) through
the SplitMix64 finaliser, computed for all members at once with NumPy's wrapping uint64
arithmetic. So member 37 of a 10,000-member run gets the very same numbers as member 37
run alone, in any batch, chunk or worker; nothing reads the clock, global state, hash
order or the process id. (DESIGN.md asks for a generator per member seeded from
``(S, i)``: this is that, without a Python loop over members.) The transforms to Gumbel
and normal numbers use :func:`sim.engine.arith.log` and :func:`sim.engine.arith.cos_2pi`, not NumPy's,
whose last bits differ between processors.

The draws of each month (every actor's Gumbel noise, the war shock) are drawn ahead for a
small ensemble, several months in one call, and kept until used (:meth:`MemberStreams._ahead`):
every transform is elementwise, so a month's numbers are the same bits whether drawn alone
or in a block, and a run's results do not change.
"""

from __future__ import annotations

import hashlib

import numpy as np

from sim.engine.arith import at_most, cos_2pi, log

_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11, _S40 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11), np.uint64(40)
_S8, _LOW24 = np.uint64(8), np.uint64((1 << 24) - 1)
_TWO53 = 2.0 ** -53
_BELOW_ONE = np.float32(1.0 - 2.0 ** -24)

NOISE_BLOCK = 1 << 15
"""At most this many numbers (months x numbers a member draws in a month x members) are drawn
ahead at once (:meth:`MemberStreams._ahead`): 128 KiB of Gumbel noise per actor. A run of
1,000 members draws each actor's noise four to eight months at a time. Where fewer than two
months fit (Gumbel noise from 2,341 to 4,097 members on, by the number of options; the war
shock from 16,385), a month is drawn alone and nothing is kept, so large chunks of a batch
hold no more memory than before."""


def mix_int(x: int) -> int:
    """SplitMix64 finaliser on a Python int (exact, 64-bit)."""
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _C1
    z = (z ^ (z >> _S27)) * _C2
    return z ^ (z >> _S31)


def _mix_after_first_step(z: np.ndarray) -> np.ndarray:
    """:func:`mix` of ``x``, given ``z = x ^ (x >> 30)``: the rest of it, computed in ``z``."""
    t = np.empty_like(z)
    np.multiply(z, _C1, out=z)
    np.right_shift(z, _S27, out=t)
    np.bitwise_xor(z, t, out=z)
    np.multiply(z, _C2, out=z)
    np.right_shift(z, _S31, out=t)
    return np.bitwise_xor(z, t, out=z)


def stream_id(name: str) -> int:
    """A stable 32-bit stream number for a name (not Python's salted ``hash``)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")


class MemberStreams:
    """Random draws for a set of members of one seeded run.

    ``months``, the run's horizon if known, lets the per-month draws (:meth:`gumbel`,
    :meth:`shock`) be drawn ahead: see :meth:`_ahead`.
    """

    def __init__(self, seed: int, member_ids: np.ndarray, months: int | None = None) -> None:
        """Derive one key per member id from ``seed``."""
        self.seed = int(seed)
        self.months = months
        ids = np.asarray(member_ids, dtype=np.uint64)
        with np.errstate(over="ignore"):
            self.keys = mix(ids * np.uint64(_GOLDEN) ^ np.uint64(mix_int(self.seed ^ 0x5EED)))
        # mix(keys ^ offs) begins with z ^ (z >> 30), which distributes over the xor: keys
        # with it applied once here save two passes over every draw (see _bits).
        self._keys30 = self.keys ^ (self.keys >> _S30)
        self._gumbel_streams: dict[str, int] = {}
        self._kept: dict[tuple, tuple[int, np.ndarray]] = {}  # what -> (first month, block)

    def _bits(self, stream: int, counters: np.ndarray) -> np.ndarray:
        """``mix(keys ^ offset(counter))``: shape ``counters.shape + (members,)``."""
        offs = np.array([mix_int((stream << 32) ^ int(c) ^ 0xC0FFEE) for c in counters.ravel()], dtype=np.uint64)
        offs = offs.reshape(counters.shape + (1,))
        return _mix_after_first_step(self._keys30 ^ (offs ^ (offs >> _S30)))

    def uniform(self, stream: int, counters) -> np.ndarray:
        """Uniform numbers in (0, 1): shape ``counters.shape + (members,)``."""
        bits = self._bits(stream, np.asarray(counters, dtype=np.int64))
        return ((bits >> _S11).astype(np.float64) + 0.5) * _TWO53

    def normal(self, stream: int, counter) -> np.ndarray:
        """Standard normal per member; for an array of counters, shape ``counters.shape + (members,)``.

        Box-Muller on two uniforms of this stream, at counters ``2 counter`` and
        ``2 counter + 1``, with the logarithm and cosine of :mod:`sim.engine.arith`: the same
        bits on every machine.
        """
        counter = np.asarray(counter, dtype=np.int64)
        u = self.uniform(stream, np.stack([2 * counter, 2 * counter + 1]))
        return np.sqrt(-2.0 * log(u[0])) * cos_2pi(u[1])

    def _ahead(self, what: tuple, month: int, per_member: int, draw) -> np.ndarray:
        """The draws of ``month`` out of a block ``draw(first month, months)`` (months first), read-only.

        With the horizon known, the block runs from this month towards the horizon, at most
        :data:`NOISE_BLOCK` numbers (``per_member`` numbers a member a month), and is kept
        (one block for each ``what``) for the calls that follow. Where fewer than two months
        fit, or without the horizon, this month is drawn alone and nothing is kept. Every
        draw is elementwise, so a month's numbers are the same bits whether drawn alone or
        in a block: this only saves the fixed cost of a call per month.
        """
        kept = self._kept.get(what)
        if kept is not None:
            start, block = kept
            if start <= month < start + len(block):
                return block[month - start]
        months = 0 if self.months is None else min(self.months - month, NOISE_BLOCK // (per_member * len(self.keys)))
        block = draw(month, months if months >= 2 else 1)
        block.flags.writeable = False  # handed out as views: nobody may change the kept numbers
        if months >= 2:  # else a large ensemble, where the fixed cost of a call hardly counts
            self._kept[what] = (month, block)
        return block[0]

    def shock(self, stream: int, month: int) -> np.ndarray:
        """A month's standard normal shock per member: ``normal(stream, month)``, read-only.

        Drawn ahead (:meth:`_ahead`).
        """
        return self._ahead(("normal", stream), month, 1, lambda t, k: self.normal(stream, np.arange(t, t + k)))

    def gumbel(self, actor: str, month: int, n_options: int) -> np.ndarray:
        """Standard Gumbel noise for an actor's options in a month: (options, members), read-only.

        The numbers of :meth:`gumbel_months` for this month, drawn ahead (:meth:`_ahead`).
        """
        return self._ahead(("gumbel", actor, n_options), month, n_options,
                           lambda t, k: self.gumbel_months(actor, t, k, n_options))

    def gumbel_months(self, actor: str, month: int, months: int, n_options: int) -> np.ndarray:
        """Standard Gumbel noise for an actor's options in months ``month .. month + months - 1``.

        Shape (months, options, members).

        Single precision, from 24-bit uniforms: noise needs no more. Each 64-bit draw gives
        two of them (its top 24 bits, and bits 8 to 31: every bit of the SplitMix64 output
        is mixed). In month ``t`` the actor's stream draws at counters ``(t << 8) + j``; the
        first half of the options take the top bits of the draws ``j = 0 .. ceil(options / 2) - 1``
        and the rest take their lower bits. Every step is elementwise, so a month's numbers
        do not depend on how many months (or members) are drawn together.
        """
        stream = self._gumbel_streams.get(actor)
        if stream is None:
            stream = self._gumbel_streams[actor] = stream_id(f"gumbel:{actor}")
        half = (n_options + 1) // 2
        counters = ((np.arange(months, dtype=np.int64)[:, None] + month) << 8) + np.arange(half, dtype=np.int64)
        bits = self._bits(stream, counters)  # (months, half, members)
        k = np.empty((months, n_options, bits.shape[-1]), dtype=np.int32)  # the 24-bit numbers
        k[:, :half] = bits >> _S40
        low = bits[:, : n_options - half]
        np.right_shift(low, _S8, out=low)
        np.bitwise_and(low, _LOW24, out=low)
        k[:, half:] = low
        u = k.astype(np.float32)  # exact (< 2**24); int32 converts in vector loops, uint64 does not
        # -log(-log((k + 0.5) * 2**-24)) for each 24-bit k, with sim.engine.arith.log (the same bits
        # on every machine).
        u += np.float32(0.5)
        u *= np.float32(2.0 ** -24)
        # The top value, 1 - 2**-25, rounds to 1.0 in single precision (log 0: infinite noise);
        # keep it at the largest single below 1. Every other value is unchanged.
        at_most(u, _BELOW_ONE, out=u)
        log(u, out=u)
        np.negative(u, out=u)
        log(u, out=u)
        return np.negative(u, out=u)
