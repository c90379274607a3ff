"""Allocator tuning for large ensembles (glibc only; elsewhere nothing happens).

NumPy allocates a fresh temporary for every array operation. Past glibc's mmap threshold
(128 KiB at first) each one is a new mapping whose pages fault in one by one, and on
virtual machines a page fault is expensive: a 10,000-member run spent a third of its time
there. Raising the thresholds keeps freed temporaries in the heap for reuse. It changes
no result, only where memory comes from; it is applied once, when a run starts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

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
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = bool(mallopt(_M_MMAP_THRESHOLD, 64 * 2**20)) and bool(mallopt(_M_TRIM_THRESHOLD, 512 * 2**20)) \
        and bool(mallopt(_M_TOP_PAD, 64 * 2**20))
    _done = ok
    return ok
