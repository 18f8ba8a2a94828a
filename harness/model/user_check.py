"""Whether a team's own Locust user class (`module:Class`) can be imported and is a Locust User.

Checked in a child interpreter: importing Locust monkey-patches the process with gevent, which
breaks the harness, and the team's module may import anything. The child imports each module
from the given folders first, as the Locust subprocess will.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

CHECK_TIMEOUT = 60.0  # seconds for the child to import every module (Locust itself takes ~1 s)

_CHECK = """
import importlib, json, sys
search, paths = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.path[:0] = search
found = {}
for path in paths:
    module, _, name = path.partition(":")
    try:
        cls = getattr(importlib.import_module(module), name)
    except AttributeError:
        found[path] = f"module {module} has no {name}"
        continue
    except BaseException as exc:
        found[path] = f"cannot import module {module}: {type(exc).__name__}: {exc}"
        continue
    from locust import User
    if not (isinstance(cls, type) and issubclass(cls, User)):
        found[path] = f"{path} is not a Locust user class (a subclass of locust.User)"
print("USER-CHECK " + json.dumps(found))
"""


def user_class_problems(paths: Sequence[str], search: Sequence[str]) -> dict[str, str]:
    """What is wrong with each `module:Class` path that is not a usable Locust user (none: {})."""
    if not paths:
        return {}
    argv = [sys.executable, "-c", _CHECK, json.dumps(list(search)), json.dumps(list(paths))]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=CHECK_TIMEOUT)
    except subprocess.TimeoutExpired:
        return dict.fromkeys(paths, f"importing it took longer than {CHECK_TIMEOUT:.0f}s")
    for line in done.stdout.splitlines():
        if line.startswith("USER-CHECK "):
            found: dict[str, str] = json.loads(line.removeprefix("USER-CHECK "))
            return found
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return dict.fromkeys(paths, f"cannot check it: {last}")
