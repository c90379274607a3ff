"""Memory for large ensembles: allocator tuning and recycled output buffers.

Nothing here changes a result, only where memory comes from.

**Temporaries.** NumPy allocates a fresh temporary for every array operation. Past
glibc's mmap threshold (128 KiB at first) each one is a new mapping whose pages fault in
one by one, and on virtual machines a page fault is expensive: a 10,000-member run spent
a third of its time there. :func:`tune_allocator` raises the thresholds so that freed
temporaries stay in the heap for reuse (glibc only; elsewhere nothing happens).

**Outputs.** A run's outputs (the history is ``(months + 1) x indicators x members``
in single precision: 88 MB for 10,000 members x 36 months) are too large for the heap, so they are
fresh mappings, and memory fresh from the kernel is slow to touch the first time, above
all on a virtual machine whose balloon takes back the guest's free pages. Two things help:

* :func:`zeros_group` takes the outputs from a small pool of anonymous mappings that a
  run's results hand back when they are garbage-collected, so the next run of a similar
  size writes into memory that the process already holds (a second run in a process, a
  sweep, the dashboard re-running after a lever moves): 200 MB then cost about 5 ms to
  clear instead of 0.1-0.7 s to fault in. At most :data:`POOL_KEEP_BYTES` of idle buffers
  are kept.
* The mappings use ordinary pages. NumPy advises transparent huge pages for its own large
  arrays, but where the kernel must find, clear and (on a VM) get backed a fresh 2 MiB
  page for each, a first touch measured 4-5 times slower than with 4 KiB pages (0.52-0.75 s
  against 0.12-0.17 s for 200 MB on the reference VM).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import sys
import threading
import weakref

import numpy as np

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_done = False


def tune_allocator() -> bool:
    """Raise glibc's mmap and trim thresholds; True if applied."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:  # glibc's soname first: find_library would start a subprocess (ldconfig)
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"))
        except OSError:
            return False
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    ok = bool(mallopt(_M_MMAP_THRESHOLD, 64 * 2**20)) and bool(mallopt(_M_TRIM_THRESHOLD, 512 * 2**20)) \
        and bool(mallopt(_M_TOP_PAD, 64 * 2**20))
    _done = ok
    return ok


# -- recycled output buffers ------------------------------------------------------------------------

POOL_MIN_BYTES = 4 * 2**20
"""Groups smaller than this come from NumPy (the heap recycles them anyway)."""
POOL_KEEP_BYTES = 2**30
"""At most this many bytes of idle buffers are kept for reuse."""
_ALIGN = 64  # each array of a group starts on a cache line
_ROUND = 2 * 2**20  # buffer sizes are multiples of this, so that similar runs share them

_idle: list[mmap.mmap] = []  # idle buffers, oldest first
_lock = threading.RLock()  # re-entrant: a finaliser may run inside _take (garbage collection)


def _give_back(buf: mmap.mmap) -> None:
    """Finaliser of a group: its buffer goes back to the pool (oldest dropped past the cap)."""
    with _lock:
        _idle.append(buf)
        while sum(len(b) for b in _idle) > POOL_KEEP_BYTES:
            _idle.pop(0)


def _take(nbytes: int) -> tuple[mmap.mmap, bool]:
    """An idle buffer of at least ``nbytes``, else a new mapping; and whether it is fresh (so already zero).

    The idle buffer is the smallest that fits, if not over about twice as large.
    """
    with _lock:
        fits = [b for b in _idle if nbytes <= len(b) <= 2 * nbytes + _ROUND]
        if fits:
            buf = min(fits, key=len)
            _idle.remove(buf)
            return buf, False
    size = -(-nbytes // _ROUND) * _ROUND
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return buf, True  # ordinary pages: no MADV_HUGEPAGE (see the module docstring)


def zeros_group(specs: list[tuple[tuple[int, ...], np.dtype | type]]) -> list[np.ndarray]:
    """Zero-filled arrays, one per ``(shape, dtype)``, sharing one recycled buffer.

    The buffer returns to the pool when every array of the group and every view of them
    is gone. Same values as ``np.zeros`` for each spec.
    """
    offsets, nbytes = [], 0
    for shape, dtype in specs:
        offsets.append(nbytes)
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        nbytes += -(-size // _ALIGN) * _ALIGN
    if nbytes < POOL_MIN_BYTES or not hasattr(mmap, "MAP_ANONYMOUS"):
        return [np.zeros(shape, dtype) for shape, dtype in specs]
    buf, fresh = _take(nbytes)
    # The owner: every array below, and every view of them, has it as its ``base`` (NumPy
    # stops there: the owner's own base is not an array), so it dies, and the buffer goes
    # back to the pool, only when the last of them does.
    owner = np.frombuffer(buf, dtype=np.uint8, count=nbytes)
    out = []
    for (shape, dtype), off in zip(specs, offsets, strict=True):
        size = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
        out.append(owner[off:off + size].view(dtype).reshape(shape))
    if any(a.base is not owner for a in out):  # pragma: no cover - a NumPy that collapses bases further
        del out, owner
        _give_back(buf)
        return [np.zeros(shape, dtype) for shape, dtype in specs]
    if not fresh:
        owner.fill(0)
    weakref.finalize(owner, _give_back, buf).atexit = False
    return out
