"""A small blocking SIP caller for the integration tests: one TCP connection, one call at a
time, INVITE -> final answer -> ACK -> BYE. Messages are built with aiosipua."""

from __future__ import annotations

import itertools
import socket
import time
from dataclasses import dataclass

from aiosipua import SipMessage, SipRequest, SipResponse

from mock_services.core.sip_framing import SipFramer

_ids = itertools.count(1)


@dataclass(frozen=True)
class Outcome:
    call_id: str
    status: int  # the INVITE's final status; 0 when none came in time
    answered_by: str | None = None
    bye_status: int | None = None
    setup: float = 0.0  # seconds from INVITE to final answer

    @property
    def answered(self) -> bool:
        return 200 <= self.status < 300


class Caller:
    def __init__(self, host: str, port: int, timeout: float = 5.0, user: str = "caller") -> None:
        self.host, self.port, self.timeout, self.user = host, port, timeout, user
        self.sock = socket.create_connection((host, port), timeout=timeout)
        host, port = self.sock.getsockname()[:2]
        self.local = f"{host}:{port}"
        self.framer = SipFramer()
        self.inbox: list[SipResponse] = []

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, number: str, region: str | None = None, hang_up: bool = True) -> Outcome:
        call_id = f"test-{next(_ids)}-{time.monotonic_ns()}@{self.local}"
        invite = self._request("INVITE", number, call_id, 1, tag="caller")
        if region is not None:
            invite.set_header("X-Caller-Region", region)
        started = time.monotonic()
        self._send(invite)
        final = self._final(call_id, "INVITE")
        setup = time.monotonic() - started
        if final is None:
            return Outcome(call_id, 0, setup=setup)
        to = final.get_header("To") or ""
        if not 200 <= final.status_code < 300:
            ack = self._request(
                "ACK", number, call_id, 1, tag="caller", to=to, via=invite.get_header("Via")
            )
            self._send(ack)
            return Outcome(call_id, final.status_code, setup=setup)
        self._send(self._request("ACK", number, call_id, 1, tag="caller", to=to))
        bye_status = None
        if hang_up:
            self._send(self._request("BYE", number, call_id, 2, tag="caller", to=to))
            bye = self._final(call_id, "BYE")
            bye_status = bye.status_code if bye is not None else 0
        return Outcome(
            call_id, final.status_code, final.get_header("X-Answered-By"), bye_status, setup
        )

    def cancel(self, number: str, region: str | None, after: float) -> dict[str, int]:
        """INVITE, CANCEL it after `after` seconds; the final status of each."""
        call_id = f"cancel-{next(_ids)}@{self.local}"
        invite = self._request("INVITE", number, call_id, 1, tag="caller")
        if region is not None:
            invite.set_header("X-Caller-Region", region)
        self._send(invite)
        time.sleep(after)
        cancel = self._request(
            "CANCEL", number, call_id, 1, tag="caller", via=invite.get_header("Via")
        )
        self._send(cancel)
        statuses = {}
        for method in ("CANCEL", "INVITE"):
            final = self._final(call_id, method)
            statuses[method] = final.status_code if final is not None else 0
        return statuses

    def options(self) -> int:
        call_id = f"options-{next(_ids)}@{self.local}"
        self._send(self._request("OPTIONS", "telephony", call_id, 1, tag="caller"))
        final = self._final(call_id, "OPTIONS")
        return final.status_code if final is not None else 0

    def _request(
        self,
        method: str,
        number: str,
        call_id: str,
        seq: int,
        *,
        tag: str,
        to: str | None = None,
        via: str | None = None,
    ) -> SipRequest:
        request = SipRequest(method=method, uri=f"sip:{number}@{self.host}:{self.port}")
        request.set_header("Via", via or f"SIP/2.0/TCP {self.local};branch=z9hG4bK{next(_ids)}")
        request.set_header("Max-Forwards", "70")
        request.set_header("From", f"<sip:{self.user}@{self.local}>;tag={tag}")
        request.set_header("To", to or f"<sip:{number}@{self.host}>")
        request.set_header("Call-ID", call_id)
        request.set_header("CSeq", f"{seq} {method}")
        request.set_header("Contact", f"<sip:{self.user}@{self.local};transport=tcp>")
        return request

    def _send(self, request: SipRequest) -> None:
        self.sock.sendall(bytes(request))

    def _final(self, call_id: str, method: str) -> SipResponse | None:
        deadline = time.monotonic() + self.timeout
        while True:
            for message in self.inbox:
                if (
                    message.call_id == call_id
                    and (message.get_header("CSeq") or "").endswith(method)
                    and message.status_code >= 200
                ):
                    self.inbox.remove(message)
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return None
            if not data:
                return None
            for raw in self.framer.feed(data):
                message = SipMessage.parse(raw)
                if isinstance(message, SipResponse):
                    self.inbox.append(message)
