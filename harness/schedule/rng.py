"""Seeded random streams, one per (scenario seed, fault[, target]).

Derived with sha256, never Python's hash() (salted per process), so the same scenario and seed
give the same flaps in every process, on every machine, in every Python version.
"""

from __future__ import annotations

import hashlib
import json
import random


def stream(seed: int, *names: str) -> random.Random:
    material = json.dumps([seed, *names]).encode()
    return random.Random(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))
