"""Generated topologies for the growth curves: meldkamer-nl's shape with N regions.

Every region gets its meldkamer and radio console (each depending on GMS, C2000 and, for the
console, police ICT) and a backup region (the next one), so services and links grow by a
fixed amount per region: services = 6 + 2N, links = 7 + 7N (client entries included).
"""

from __future__ import annotations

import json
from pathlib import Path

NATIONAL: dict[str, object] = {
    "telephony": {
        "kind": "telephony",
        "depends": {
            "meldkamer-{region}": {"timeout": "1s", "fallback": "backup-region"},
            "police-contact-centre": {"timeout": "2s"},
        },
    },
    "meldkamer-{region}": {
        "kind": "meldkamer",
        "depends": {
            "gms": {"timeout": "500ms", "retries": 1, "fallback": "buffer"},
            "radio-console-{region}": {"timeout": "500ms", "fallback": "radio-sets"},
            "c2000": {"timeout": "500ms"},
        },
    },
    "gms": {
        "kind": "gms",
        "depends": {"police-ict": {"timeout": "300ms", "required": False, "fallback": "degrade"}},
    },
    "radio-console-{region}": {
        "kind": "radio-console",
        "depends": {"c2000": {"timeout": "500ms"}, "police-ict": {"timeout": "300ms"}},
    },
    "c2000": {"kind": "c2000"},
    "police-ict": {"kind": "police-ict"},
    "police-contact-centre": {
        "kind": "police-contact-centre",
        "depends": {"police-ict": {"timeout": "500ms"}},
    },
    "office": {"kind": "office", "depends": {"police-ict": {"timeout": "500ms"}}},
}
CLIENTS = {
    "callers": {"to": ["telephony"]},
    "radio-units": {"to": ["c2000"]},
    "office-users": {"to": ["office"]},
    "dispatchers": {"to": ["meldkamer-{region}"], "port": "http"},
}


def region_names(n: int) -> list[str]:
    return [f"regio-{i:03d}" for i in range(1, n + 1)]


def topology(n: int) -> dict[str, object]:
    """The topology file's content for `n` regions (n >= 2: each needs a different backup)."""
    if n < 2:
        raise ValueError("a generated topology needs at least 2 regions (each has a backup)")
    names = region_names(n)
    regions = {name: {"backup": names[(i + 1) % n]} for i, name in enumerate(names)}
    return {
        "version": 1,
        "name": f"generated-{n}",
        "description": f"meldkamer-nl's shape with {n} generated regions (bench growth curves)",
        "regions": regions,
        "services": NATIONAL,
        "clients": CLIENTS,
    }


def write_topology(n: int, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"generated-{n}.yaml"
    # JSON is YAML (1.2): the topology loader reads it as it reads a hand-written file
    path.write_text(json.dumps(topology(n), indent=1), encoding="utf-8")
    return path
