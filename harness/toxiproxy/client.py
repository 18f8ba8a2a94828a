"""The one place the harness talks to Toxiproxy: toxiproxy-python, wrapped and fixed.

toxiproxy-python (the owner's choice) keeps its server address in class globals, opens a new
connection per call, has no timeouts, cannot update a toxic and raises bare exceptions. Here
every call goes through a pooled session with a timeout and connect retries, the address is
bound per call under a lock, and every failure becomes a ToxiproxyError.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import toxiproxy.api as tp_api
from requests.adapters import HTTPAdapter
from toxiproxy import Proxy, Toxiproxy
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from urllib3.util.retry import Retry

from harness.errors import ToxiproxyError

_lock = threading.RLock()


class _Transport:
    """Stands in for the `requests` module inside toxiproxy.api: pooled, with timeouts."""

    def __init__(self, timeout: float, retries: int) -> None:
        self.timeout = timeout
        self.session = requests.Session()
        # Retry only failed connects: a request that reached Toxiproxy is never sent twice.
        retry = Retry(
            total=retries,
            connect=retries,
            read=0,
            status=0,
            other=0,
            backoff_factor=0.05,
            allowed_methods=None,
            raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=4))

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, _quote_path(url), **kwargs)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", url, **kwargs)


def _quote_path(url: str) -> str:
    """Link names hold '>' (`a->b`); quote the path, not the scheme and authority."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority}{slash}{quote(path, safe='/:.-_~')}"


@dataclass(frozen=True)
class ToxicState:
    name: str
    type: str
    stream: str
    toxicity: float
    attributes: dict[str, int]


@dataclass(frozen=True)
class ProxyState:
    name: str
    listen: str
    upstream: str
    enabled: bool
    toxics: tuple[ToxicState, ...] = field(default_factory=tuple)

    def toxic(self, name: str) -> ToxicState | None:
        return next((t for t in self.toxics if t.name == name), None)


def _proxy_state(raw: dict[str, Any]) -> ProxyState:
    toxics = tuple(
        ToxicState(
            t["name"],
            t["type"],
            t.get("stream", "downstream"),
            float(t.get("toxicity", 1.0)),
            dict(t.get("attributes") or {}),
        )
        for t in raw.get("toxics") or []
    )
    return ProxyState(raw["name"], raw["listen"], raw["upstream"], bool(raw["enabled"]), toxics)


class ToxiproxyClient:
    """Typed calls on one Toxiproxy server; every method raises ToxiproxyError on failure."""

    def __init__(self, api: str, timeout: float = 2.0, retries: int = 2) -> None:
        host, _, port = api.rpartition(":")
        self.host = host or "127.0.0.1"
        self.port = int(port)
        self._transport = _Transport(timeout, retries)
        self._server = Toxiproxy()

    @property
    def api(self) -> str:
        return f"{self.host}:{self.port}"

    @contextmanager
    def _call(self, what: str) -> Iterator[None]:
        with _lock:
            saved = (tp_api.APIConsumer.host, tp_api.APIConsumer.port, tp_api.requests)
            tp_api.APIConsumer.host, tp_api.APIConsumer.port = self.host, self.port
            tp_api.requests = self._transport
            try:
                yield
            except (NotFound, ProxyExists, InvalidToxic) as exc:
                detail = (
                    exc.args[0].decode(errors="replace")
                    if exc.args and isinstance(exc.args[0], bytes)
                    else str(exc)
                )
                raise ToxiproxyError(f"Toxiproxy at {self.api}: {what}: {detail.strip()}") from None
            except requests.RequestException as exc:
                raise ToxiproxyError(
                    f"Toxiproxy at {self.api} unreachable ({what}): {type(exc).__name__}"
                ) from None
            except ValueError as exc:  # a body that is not JSON
                raise ToxiproxyError(
                    f"Toxiproxy at {self.api}: {what}: bad answer: {exc}"
                ) from None
            finally:
                tp_api.APIConsumer.host, tp_api.APIConsumer.port, tp_api.requests = saved

    def _check(self, response: requests.Response, what: str) -> requests.Response:
        if response.status_code >= 400:
            raise ToxiproxyError(
                f"Toxiproxy at {self.api}: {what}: HTTP {response.status_code} "
                f"{response.text.strip()[:200]}"
            )
        return response

    # --- reading ---------------------------------------------------------------------------

    def version(self) -> str:
        with self._call("version"):
            text = self._check(tp_api.APIConsumer.get("/version"), "version").text
        return text.strip().strip('"{}').split(":")[-1].strip().strip('"')

    def reachable(self) -> bool:
        try:
            self.version()
        except ToxiproxyError:
            return False
        return True

    def proxies(self) -> dict[str, ProxyState]:
        with self._call("list proxies"):
            raw = self._check(tp_api.APIConsumer.get("/proxies"), "list proxies").json()
        return {name: _proxy_state(p) for name, p in raw.items()}

    def proxy(self, name: str) -> ProxyState | None:
        return self.proxies().get(name)

    # --- proxies ---------------------------------------------------------------------------

    def create_proxy(
        self, name: str, listen: str, upstream: str, enabled: bool = True
    ) -> ProxyState:
        with self._call(f"create proxy {name}"):
            proxy = self._server.create(
                upstream=upstream, name=name, listen=listen, enabled=enabled
            )
        return ProxyState(proxy.name, proxy.listen, proxy.upstream, bool(proxy.enabled))

    def populate(self, proxies: list[dict[str, Any]]) -> dict[str, ProxyState]:
        """Create or replace proxies in one call (Toxiproxy's POST /populate)."""
        with self._call("populate"):
            response = self._check(tp_api.APIConsumer.post("/populate", json=proxies), "populate")
        return {p["name"]: _proxy_state(p) for p in response.json()["proxies"]}

    def delete_proxy(self, name: str) -> None:
        with self._call(f"delete proxy {name}"):
            Proxy(name=name, upstream="", enabled=True, listen="").destroy()

    def set_enabled(self, name: str, enabled: bool) -> None:
        with self._call(f"{'enable' if enabled else 'disable'} {name}"):
            proxy = Proxy(name=name, upstream="", enabled=not enabled, listen="")
            if enabled:
                proxy.enable()
            else:
                proxy.disable()

    def reset(self) -> None:
        """Enable every proxy and remove every toxic (Toxiproxy's POST /reset)."""
        with self._call("reset"):
            self._server.reset()

    # --- toxics ----------------------------------------------------------------------------

    def add_toxic(
        self,
        proxy: str,
        name: str,
        type: str,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: dict[str, int] | None = None,
    ) -> None:
        with self._call(f"add toxic {name} to {proxy}"):
            Proxy(name=proxy, upstream="", enabled=True, listen="").add_toxic(
                name=name, type=type, stream=stream, toxicity=toxicity, attributes=attributes or {}
            )

    def update_toxic(
        self, proxy: str, name: str, toxicity: float, attributes: dict[str, int]
    ) -> None:
        """Change a toxic in place (toxiproxy-python lacks this call)."""
        with self._call(f"update toxic {name} on {proxy}"):
            self._check(
                tp_api.APIConsumer.post(
                    f"/proxies/{proxy}/toxics/{name}",
                    json={"toxicity": toxicity, "attributes": attributes},
                ),
                "update toxic",
            )

    def remove_toxic(self, proxy: str, name: str) -> None:
        with self._call(f"remove toxic {name} from {proxy}"):
            Proxy(name=proxy, upstream="", enabled=True, listen="").destroy_toxic(name)

    def close(self) -> None:
        self._transport.session.close()
