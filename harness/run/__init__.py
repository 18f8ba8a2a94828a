"""One run, start to verdict: faults on schedule, load, live halts, evidence, reports.

    scenario ─► stack (the running one, or a new one owned by this run)       start.py
             ─► reconciler thread (faults on schedule) + Locust (load)         replay.py
             ─► main thread: tail the journal, halts, progress, signals        watch.py
             ─► faults off, load off, incidents reconciled, health probed      evidence.py
             ─► assertions (once) ─► verdict ─► reports ─► exit code           finish.py

Whatever happens, the faults come off: on a normal end, an exception, a halt and SIGINT/SIGTERM
(within a second); after kill -9 `harness cleanup`, or the next run, removes them using the
applied-state file the reconciler keeps.
"""

from harness.run.options import RunOptions, RunResult
from harness.run.start import default_report_dir, run_scenario

__all__ = ["RunOptions", "RunResult", "default_report_dir", "run_scenario"]
