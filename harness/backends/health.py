"""Waiting until parts of a stack answer, with an error that names the part that does not."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Mapping

from harness.errors import StackError


async def http_ok(host: str, port: int, path: str = "/health", timeout: float = 1.0) -> bool:
    """True when GET path answers 200 within timeout (plain HTTP/1.1, no keep-alive)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    try:
        request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        writer.write(request.encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), timeout)
        return status.split(b" ")[1:2] == [b"200"]
    except (OSError, TimeoutError, IndexError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def wait_healthy(
    endpoints: Mapping[str, tuple[str, int]],
    timeout: float,
    alive: Mapping[str, object] | None = None,
) -> None:
    """Poll every `name -> (host, port)` until all answer /health; StackError naming the rest.

    `alive` optionally maps names to objects with `poll()` (Popen): a part that exits while we
    wait fails at once instead of after the timeout."""
    pending = dict(endpoints)
    deadline = time.monotonic() + timeout
    while pending:
        results = await asyncio.gather(*(http_ok(h, p, timeout=0.5) for h, p in pending.values()))
        for name, ok in zip(list(pending), results, strict=True):
            if ok:
                del pending[name]
        if alive is not None:
            dead = [n for n in pending if getattr(alive.get(n), "poll", lambda: None)() is not None]
            if dead:
                raise StackError(f"{', '.join(sorted(dead))} exited during start-up (see its log)")
        if not pending:
            return
        if time.monotonic() > deadline:
            raise StackError(f"not healthy after {timeout:g}s: {', '.join(sorted(pending))}")
        await asyncio.sleep(0.03)
