"""Set-up shared by the benchmarks; import it before NumPy.

One thread for every numerical library (in this process and in workers, which inherit the
environment), and ``import sim`` finding the package next to ``bench/`` without installing.
"""

import os
import platform
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cpu_model() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def baseline(months: int = 36):
    """The bundled baseline cut to its first ``months`` months (the targets are for 36; it has 48)."""
    import sim

    return sim.load_scenario_text(f"extends: baseline\nname: baseline\nmonths: {months}\n", "baseline.yaml")


def timed(fn, repeats: int) -> tuple[list[float], object]:
    """Call ``fn`` ``repeats`` times; the wall times (perf_counter) and the last result."""
    import time

    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out
