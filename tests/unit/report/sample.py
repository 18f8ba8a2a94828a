"""A sample journal shaped like the September 2020 replay, for report tests and the browser test.

Police ICT flaps on the links into it; 0900 and office traffic fail while it is down, 112 keeps
being answered (with one slow stretch in rotterdam). Seeded, so every call gives the same run.
"""

from __future__ import annotations

import random

from harness.journal import Event, Incidents, Request, RunEnd, RunStart, Transition
from harness.model.scenario import Check, Window
from harness.report.meta import FaultNote, ScenarioMeta

WALL0 = 1_600_000_000.0
SPAN = 66 * 3600.0  # 2020-09-15T00:00 to 2020-09-17T18:00
REPLAY = 90.0
REGIONS = ("midden-nederland", "noord-holland", "oost-brabant", "rotterdam", "zeeland-west-brabant")
LINKS = (
    "gms->police-ict",
    "office->police-ict",
    "police-contact-centre->police-ict",
    *(f"radio-console-{r}->police-ict" for r in REGIONS[1:]),
)
FLAP = [
    (8 * 3600 + 1800 * i * 3, 8 * 3600 + 1800 * i * 3 + 1200 + 300 * (i % 4)) for i in range(20)
]
OUTAGE = (59.5 * 3600, 64.5 * 3600)  # Thu 17 Sep 11:30 to 16:30


def wall(t: float) -> float:
    return WALL0 + t * REPLAY / SPAN


def police_ict_down(t: float) -> bool:
    return any(a <= t < b for a, b in (*FLAP, OUTAGE))


def journal(requests: int = 20_000, halted_at: float | None = None, seed: int = 1) -> list[Event]:
    rng = random.Random(seed)
    end_t = halted_at if halted_at is not None else SPAN
    events: list[Event] = [
        RunStart(
            WALL0,
            0.0,
            "september-2020",
            20200915,
            "2020-09-15T00:00:00",
            SPAN,
            REPLAY,
            "local",
            "scenarios/september-2020.yaml",
        )
    ]
    for start, stop in (*FLAP, OUTAGE):
        for link in LINKS:
            if start < end_t:
                events.append(
                    Transition(
                        wall(start) + 0.004,
                        start,
                        "police-ict-down",
                        f"down {link}",
                        link,
                        True,
                        wall(start),
                    )
                )
            if stop < end_t:
                events.append(
                    Transition(
                        wall(stop) + 0.006,
                        stop,
                        "police-ict-down",
                        f"down {link}",
                        link,
                        False,
                        wall(stop),
                    )
                )
    calls: dict[str, int] = {}
    for i in range(requests):
        t = end_t * i / requests
        down = police_ict_down(t)
        kind = rng.random()
        if kind < 0.5:
            region = rng.choice(REGIONS)
            slow = region == "rotterdam" and 30 * 3600 <= t < 31 * 3600
            call_id = f"call-{i}"
            calls[call_id] = 1
            events.append(
                Request(
                    wall(t),
                    t,
                    "callers-112",
                    True,
                    rng.uniform(0.6, 1.2) if slow else rng.uniform(0.01, 0.04),
                    region,
                    "112",
                    call_id=call_id,
                    answered_by=f"meldkamer-{region}",
                )
            )
        elif kind < 0.75:
            ok = not down and rng.random() > 0.01
            events.append(
                Request(
                    wall(t),
                    t,
                    "callers-0900",
                    ok,
                    rng.uniform(0.02, 0.08) if ok else 2.0,
                    None,
                    "0900",
                    None if ok else "503",
                )
            )
        elif kind < 0.9:
            ok = not down
            events.append(
                Request(wall(t), t, "office-users", ok, rng.uniform(0.005, 0.02), None, "GET /")
            )
        else:
            region = rng.choice(REGIONS)
            via = "radio-sets" if down and region != REGIONS[0] else "console"
            events.append(
                Request(
                    wall(t),
                    t,
                    "dispatchers",
                    True,
                    rng.uniform(0.01, 0.05),
                    region,
                    "dispatch",
                    via=via,
                )
            )
    if halted_at is None:
        events.append(Incidents(wall(SPAN), SPAN, calls, 0))
        events.append(RunEnd(wall(SPAN) + 0.5, SPAN, "passed"))
    else:
        from harness.journal import Halt

        events.append(Halt(wall(halted_at), halted_at, "112 keeps answering", 0.82))
        events.append(RunEnd(wall(halted_at) + 0.2, halted_at, "halted", "halt condition tripped"))
    return events


CHECKS = (
    Check("112 answered in every region", "success_ratio", ">=", 0.999, "callers-112", "region"),
    Check("meldkamers reachable at all times", "max_gap", "<=", 2.0, "callers-112", "region"),
    Check("112 answered fast", "latency", "<=", 0.5, "callers-112", "region", percentile=95),
    Check("no incident lost", "incidents_reconciled", "==", 1.0),
    Check(
        "replay reproduces the 0900 outage",
        "success_ratio",
        "<=",
        0.5,
        "callers-0900",
        window=Window(OUTAGE[0], OUTAGE[1]),
        source="Kamerbrief 25-09-2020, kenmerk 3031287",
    ),
    Check(
        "office down during the outage",
        "success_ratio",
        "<=",
        0.1,
        "office-users",
        window=Window(*OUTAGE),
    ),
)

META = ScenarioMeta(
    "september-2020",
    "scenarios/september-2020.yaml",
    "Police ICT flapping, 15–17 Sep 2020: 088/0900 poorly or not reachable, meldkamer systems "
    "flapping, radio console partly available in four meldkamers; 112 and C2000 unaffected.",
    20200915,
    ("Kamerbrief 25-09-2020, kenmerk 3031287",),
    ("flap frequency and durations are not published",),
    (
        FaultNote(
            "police-ict-down",
            "links into police ICT refuse connections",
            "Kamerbrief 25-09-2020",
            "flap pattern",
        ),
    ),
)
