"""The app driver sets and clears application faults through the mock control API."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter

from harness.errors import StackError
from harness.faults.app import AppDriver
from harness.model.effects import AppFault

BUSY = AppFault("busy", "telephony", (("mode", "sip"), ("scope", "112"), ("status", 486)))


class ControlAPI(BaseAdapter):
    """Answers every request with `status`, recording it: no sockets."""

    def __init__(self, status: int = 200, error: Exception | None = None) -> None:
        super().__init__()
        self.status = status
        self.error = error
        self.seen: list[tuple[str, str, Any]] = []
        self.listed: dict[str, Any] = {}  # what GET /_control/faults answers

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.error is not None:
            raise self.error
        body = json.loads(request.body) if request.body else None
        self.seen.append((str(request.method), str(request.url), body))
        response = requests.Response()
        response.status_code = self.status
        listing = json.dumps({"faults": self.listed}).encode()
        response._content = b"nope" if self.status >= 400 else listing
        response.request = request
        return response

    def close(self) -> None:
        pass


def driver_with(api: ControlAPI) -> AppDriver:
    session = requests.Session()
    session.mount("http://", api)
    return AppDriver({"telephony": "127.0.0.1:4100"}, session)


def test_apply_puts_the_fault_spec_under_its_dc_id() -> None:
    api = ControlAPI()
    driver_with(api).apply(BUSY)
    assert api.seen == [
        (
            "PUT",
            "http://127.0.0.1:4100/_control/faults/dc.busy",
            {"mode": "sip", "scope": "112", "status": 486},
        )
    ]


def test_remove_deletes_it_and_a_fault_already_gone_is_fine() -> None:
    api = ControlAPI(status=404)
    driver_with(api).remove(BUSY)
    assert api.seen == [("DELETE", "http://127.0.0.1:4100/_control/faults/dc.busy", None)]


def test_a_refused_fault_is_a_stack_error() -> None:
    with pytest.raises(StackError, match="HTTP 500 nope"):
        driver_with(ControlAPI(status=500)).apply(BUSY)


def test_an_unreachable_control_api_is_a_stack_error() -> None:
    with pytest.raises(StackError, match="unreachable"):
        driver_with(ControlAPI(error=requests.ConnectionError("refused"))).apply(BUSY)


def test_a_service_without_a_control_endpoint_is_a_stack_error() -> None:
    with pytest.raises(StackError, match="no control endpoint"):
        driver_with(ControlAPI()).apply(AppFault("x", "gms", ()))


def test_the_undo_record_is_the_faults_url() -> None:
    assert driver_with(ControlAPI()).undo_record(BUSY).to_dict() == {
        "driver": "app",
        "url": "http://127.0.0.1:4100/_control/faults/dc.busy",
    }


def test_observed_reports_our_faults_the_service_still_lists() -> None:
    api = ControlAPI()
    driver = driver_with(api)
    driver.apply(BUSY)
    api.listed = {"dc.busy": {"mode": "sip", "status": 486}, "someone-else": {}}
    assert driver.observed() == {BUSY}
    api.listed = {}  # the service restarted and forgot it
    assert driver.observed() == set()


def test_a_service_that_does_not_answer_cannot_tell_so_its_faults_count_as_present() -> None:
    api = ControlAPI()
    driver = driver_with(api)
    driver.apply(BUSY)
    api.error = requests.ConnectionError("refused")
    assert driver.observed() == {BUSY}
