"""P3's baseline: the same flapping as bench/transition_lag.py, done the way a user would
write it today — one plain loop of toxiproxy-python calls (the `toxiproxy-python` PyPI client,
which calls Toxiproxy's REST API through `requests`), sleeping until each transition is due.

The lag is defined as for the harness: the wall time the call that makes the transition
returned (Toxiproxy confirmed it) minus the wall time it was due.

    python -m bench.flap_loop
"""

from __future__ import annotations

import time

from toxiproxy.api import APIConsumer
from toxiproxy.server import Toxiproxy

from bench.transition_lag import TransitionLag, flapping_scenario, lag_of
from harness import procs
from harness.model.effects import LinkDown, Toxic
from harness.schedule import Schedule
from harness.schedule.schedule import Transition
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer


def _flip(proxies: dict[str, object], tr: Transition) -> None:
    proxy = proxies[tr.effect.target]
    effect = tr.effect
    if isinstance(effect, LinkDown):
        proxy.disable() if tr.on else proxy.enable()  # type: ignore[attr-defined]
    elif isinstance(effect, Toxic):
        if tr.on:
            proxy.add_toxic(  # type: ignore[attr-defined]
                name=effect.toxic_name, type=effect.type, attributes=dict(effect.attributes)
            )
        else:
            proxy.destroy_toxic(effect.toxic_name)  # type: ignore[attr-defined]


def loop_transition_lag(
    rate: float = 50.0, duration: float = 10.0, links: int = 10
) -> TransitionLag:
    names = [f"bench-{i}->x" for i in range(links)]
    plan = Schedule(flapping_scenario(names, rate, duration)).transitions()
    lags: list[float] = []
    failed = 0
    with ToxiproxyServer() as server:
        client = ToxiproxyClient(server.api)
        upstream = f"127.0.0.1:{procs.free_port()}"  # toggling toxics needs no live upstream
        # proxies named loop-<i>: toxiproxy-python puts names into URLs unescaped
        client.populate(
            [
                {"name": f"loop-{i}", "listen": "127.0.0.1:0", "upstream": upstream}
                for i in range(links)
            ]
        )
        client.close()
        APIConsumer.host, APIConsumer.port = server.host, server.port
        by_name = Toxiproxy().proxies()
        proxies = {n: by_name[f"loop-{i}"] for i, n in enumerate(names)}
        start = time.time()
        for tr in plan:  # the loop a user writes: sleep until due, call, next
            due = start + tr.t
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            try:
                _flip(proxies, tr)
            except Exception:  # a user's loop would log and go on; we count it
                failed += 1
                continue
            lags.append((time.time() - due) * 1000)
    return lag_of(lags, failed)


if __name__ == "__main__":
    print(loop_transition_lag())
