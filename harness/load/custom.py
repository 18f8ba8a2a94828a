"""A team's own Locust user class, run by the harness (docs/scenarios.md, your own Locust user).

`own_user_class` puts `OwnPaced` in front of the team's class: the harness paces it to the
class's rate (rates.py, like every other user), starts nothing before the run's t = 0 or after
its end, and adds `traffic` and `region` to Locust's request context, so every request the
class reports through Locust's request event is journaled like a built-in one. The team's
`wait_time` is replaced; its `on_start`, tasks and `on_stop` run as written.
"""

from __future__ import annotations

import time
from typing import Any

from locust import FastHttpUser, HttpUser, User
from locust.exception import StopUser

from harness.load.config import UserGroup
from harness.load.paced import Paced


class OwnPaced(Paced):
    """The harness's part of a team's user: one task every period, none after the end."""

    _started = False

    def on_start(self) -> None:
        self._begin()
        if time.time() >= self.load.end:
            raise StopUser()  # its first slot fell after the end: no request at all
        self._started = True
        super().on_start()  # type: ignore[misc]  # the team's (or locust.User's)

    def on_stop(self) -> None:
        if self._started:
            super().on_stop()  # type: ignore[misc]

    def wait_time(self) -> float:
        """Locust asks after each task; a next task due after the end never starts."""
        now = time.time()
        wait = self.pacer.wait(now)
        if now + wait >= self.load.end:
            raise StopUser()
        return wait


def own_user_class(group: UserGroup, base: type[User], attrs: dict[str, Any]) -> type[User]:
    """The Locust class for a team's user: `host` the client link's proxy, as a URL for HTTP
    users (HttpUser, FastHttpUser) and as host:port for any other."""
    http = issubclass(base, HttpUser | FastHttpUser)
    host = f"http://{group.host}:{group.port}" if http else f"{group.host}:{group.port}"
    return type(group.name, (OwnPaced, base), {**attrs, "host": host})
