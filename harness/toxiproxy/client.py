"""The one place the harness talks to Toxiproxy: its HTTP API, over one pooled session per client.

toxiproxy-python (the owner's choice) keeps its server address and its `requests` module in
module globals, opens a new connection per call, has no timeouts, cannot update a toxic and
raises bare exceptions. Driving it from several threads meant swapping those globals under one
process-wide lock, which serialised the reconciler's parallel workers on every call. So every
call here goes straight to Toxiproxy's documented HTTP API (GET /version, GET|POST /proxies,
POST /populate, POST /reset, POST|DELETE /proxies/{proxy}, POST /proxies/{proxy}/toxics,
POST|DELETE /proxies/{proxy}/toxics/{toxic}) through this client's own `requests.Session`:
pooled, with a timeout and connect retries, no lock, and every failure a ToxiproxyError.

From toxiproxy-python only `toxiproxy.api.validate_response` and the exceptions it raises
(NotFound, ProxyExists, InvalidToxic) are used: a pure function that names Toxiproxy's
404/409/400 answers, so errors read as they did. Its APIConsumer, Proxy and Toxiproxy classes
are not used: they work only through the module globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from toxiproxy.api import validate_response
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from urllib3.util.retry import Retry

from harness.errors import ToxiproxyError

# Connections kept open per client: at least the reconciler's parallel workers (8), so none of
# them waits for, or reconnects after, another's call.
POOL_SIZE = 16


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


def _path(*segments: str) -> str:
    """Link names hold '>' (`a->b`): quote each segment, so a name is always one segment."""
    return "".join("/" + quote(s, safe="") for s in segments)


def _session(retries: int) -> requests.Session:
    """Safe to share between threads: nothing in it changes after this, Toxiproxy sets no
    cookies, and urllib3's pool hands each concurrent request its own connection."""
    session = requests.Session()
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
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=POOL_SIZE)
    session.mount("http://", adapter)
    return session


class ToxiproxyClient:
    """Typed calls on one Toxiproxy server; every method raises ToxiproxyError on failure.

    Safe for concurrent use: calls from several threads run in parallel, each on its own
    pooled connection."""

    def __init__(self, api: str, timeout: float = 2.0, retries: int = 2) -> None:
        host, _, port = api.rpartition(":")
        self.host = host or "127.0.0.1"
        self.port = int(port)
        self.timeout = timeout
        self._session = _session(retries)

    @property
    def api(self) -> str:
        return f"{self.host}:{self.port}"

    def _send(self, method: str, path: str, what: str, body: Any = None) -> requests.Response:
        url = f"http://{self.api}{path}"
        try:
            response = self._session.request(method, url, json=body, timeout=self.timeout)
            validate_response(response)
        except (NotFound, ProxyExists, InvalidToxic) as exc:
            content = exc.args[0] if exc.args else b""
            detail = (
                content.decode(errors="replace") if isinstance(content, bytes) else str(content)
            )
            raise ToxiproxyError(f"Toxiproxy at {self.api}: {what}: {detail.strip()}") from None
        except requests.RequestException as exc:
            raise ToxiproxyError(
                f"Toxiproxy at {self.api} unreachable ({what}): {type(exc).__name__}"
            ) from None
        if response.status_code >= 400:
            raise ToxiproxyError(
                f"Toxiproxy at {self.api}: {what}: HTTP {response.status_code} "
                f"{response.text.strip()[:200]}"
            )
        return response

    def _json(self, method: str, path: str, what: str, body: Any = None) -> Any:
        response = self._send(method, path, what, body)
        try:
            return response.json()
        except ValueError as exc:  # a body that is not JSON
            raise ToxiproxyError(f"Toxiproxy at {self.api}: {what}: bad answer: {exc}") from None

    # --- reading ---------------------------------------------------------------------------

    def version(self) -> str:
        text = self._send("GET", "/version", "version").text
        return text.strip().strip('"{}').split(":")[-1].strip().strip('"')

    def reachable(self) -> bool:
        try:
            self.version()
        except ToxiproxyError:
            return False
        return True

    def proxies(self) -> dict[str, ProxyState]:
        raw = self._json("GET", "/proxies", "list proxies")
        return {name: _proxy_state(p) for name, p in raw.items()}

    def proxy(self, name: str) -> ProxyState | None:
        return self.proxies().get(name)

    # --- proxies ---------------------------------------------------------------------------

    def create_proxy(
        self, name: str, listen: str, upstream: str, enabled: bool = True
    ) -> ProxyState:
        spec = {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled}
        return _proxy_state(self._json("POST", "/proxies", f"create proxy {name}", spec))

    def populate(self, proxies: list[dict[str, Any]]) -> dict[str, ProxyState]:
        """Create or replace proxies in one call (Toxiproxy's POST /populate)."""
        raw = self._json("POST", "/populate", "populate", proxies)
        # Toxiproxy answers {"proxies": null} when given none (a world without links)
        return {p["name"]: _proxy_state(p) for p in raw["proxies"] or []}

    def delete_proxy(self, name: str) -> None:
        self._send("DELETE", _path("proxies", name), f"delete proxy {name}")

    def set_enabled(self, name: str, enabled: bool) -> None:
        what = f"{'enable' if enabled else 'disable'} {name}"
        self._send("POST", _path("proxies", name), what, {"enabled": enabled})

    def reset(self) -> None:
        """Enable every proxy and remove every toxic (Toxiproxy's POST /reset)."""
        self._send("POST", "/reset", "reset")

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
        toxic = {
            "name": name,
            "type": type,
            "stream": stream,
            "toxicity": toxicity,
            "attributes": attributes or {},
        }
        self._send("POST", _path("proxies", proxy, "toxics"), f"add toxic {name} to {proxy}", toxic)

    def update_toxic(
        self, proxy: str, name: str, toxicity: float, attributes: dict[str, int]
    ) -> None:
        """Change a toxic in place (toxiproxy-python lacks this call)."""
        self._send(
            "POST",
            _path("proxies", proxy, "toxics", name),
            f"update toxic {name} on {proxy}",
            {"toxicity": toxicity, "attributes": attributes},
        )

    def remove_toxic(self, proxy: str, name: str) -> None:
        what = f"remove toxic {name} from {proxy}"
        self._send("DELETE", _path("proxies", proxy, "toxics", name), what)

    def close(self) -> None:
        self._session.close()
