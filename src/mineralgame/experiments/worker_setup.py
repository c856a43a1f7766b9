"""Dask preload of a sweep's local workers: tuned for long compute tasks, few messages.

A task runs in a thread that shares the GIL with the worker's event loop. By default the
task thread must hand the GIL over within 5 ms whenever the loop wakes (it ticks every
20 ms, plus heartbeats), which costs a run of the model about a tenth of its time against
a plain process. A sweep needs no millisecond message latency, so the switch interval is
raised and the tick slowed (``SWEEP_DASK_CONFIG``).
"""

from __future__ import annotations

import sys
from typing import Any

SWITCH_INTERVAL_S = 0.05  # [s] Python's default is 0.005


def dask_setup(worker: Any) -> None:
    """Called by Dask in each worker process as it starts."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
