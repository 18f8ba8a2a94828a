"""The Toxiproxy client's connection pool, without a server."""

from __future__ import annotations

import inspect

from requests.adapters import HTTPAdapter

from harness.faults.reconciler import Reconciler
from harness.toxiproxy.client import ToxiproxyClient


def test_a_client_keeps_a_pooled_connection_for_every_reconciler_worker() -> None:
    workers = inspect.signature(Reconciler).parameters["workers"].default
    client = ToxiproxyClient("127.0.0.1:8474")
    adapter = client._session.get_adapter("http://127.0.0.1:8474")
    assert isinstance(adapter, HTTPAdapter)
    assert adapter.poolmanager.connection_pool_kw["maxsize"] >= workers
    client.close()
