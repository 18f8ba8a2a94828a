"""The locustfile of a run with workers on other hosts: the load config travels inside it.

Locust's master hands its locustfile to every worker started with `-f -` (`harness worker`);
the run's config lives only on the master's host, so the harness writes this small file into
the report dir with the config inline, and it loads harness/load/locustfile.py with it.
"""

from __future__ import annotations

from pathlib import Path

from harness.load.config import LoadConfig

FILE_NAME = "dc_run_locustfile.py"

_TEMPLATE = '''"""Written by the harness for one run (harness/load/run_locustfile.py)."""
import os

os.environ["DC_LOAD_CONFIG_JSON"] = {config!r}
from harness.load import locustfile as _run  # noqa: E402

globals().update({{cls.__name__: cls for cls in _run.USER_CLASSES}})
'''


def write_run_locustfile(config: LoadConfig, report_dir: Path) -> Path:
    path = report_dir / FILE_NAME
    path.write_text(_TEMPLATE.format(config=config.to_json()), encoding="utf-8")
    return path
