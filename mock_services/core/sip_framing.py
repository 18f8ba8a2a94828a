"""Cutting a TCP byte stream into SIP messages (RFC 3261 §18.3), without any I/O.

A message is a header block ending in a blank line (CRLF CRLF), then exactly Content-Length
bytes of body (no Content-Length: no body). CR/LF bytes between messages are keep-alives
(RFC 5626 §4.4.1) and skipped. A message larger than `max_size`, or a Content-Length that is
not a number, loses the stream's framing for good: FramingError, and the connection must close.
"""

from __future__ import annotations

import re

MAX_MESSAGE = 65536  # bytes, headers and body together
_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(
    rb"^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE
)


class FramingError(Exception):
    """The stream cannot be cut into messages any more."""


class MessageTooLarge(FramingError):
    """The peer sent more than `max_size` for one message: hostile or broken."""


def content_length(head: bytes) -> int:
    """The body length a header block announces; FramingError when it is not a number."""
    values = {m.group(1) for m in _CONTENT_LENGTH.finditer(head, head.find(b"\n") + 1)}
    if not values:
        return 0
    if len(values) > 1:
        raise FramingError("conflicting Content-Length headers")
    text = values.pop()
    if not text.isdigit() or len(text) > 9:
        raise FramingError("bad Content-Length")
    return int(text)


class SipFramer:
    """Feed it bytes as they arrive; it returns every message completed so far."""

    def __init__(self, max_size: int = MAX_MESSAGE) -> None:
        self.max_size = max_size
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already searched for the blank line
        self._need: int | None = None  # total size of the message being read, once known

    @property
    def pending(self) -> bool:
        """True while part of a message is buffered."""
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        messages: list[bytes] = []
        while True:
            if self._need is None:
                self._skip_keepalives()
                end = self._buffer.find(_END, max(self._scanned - 3, 0))
                if end < 0:
                    self._scanned = len(self._buffer)
                    if self._scanned > self.max_size:
                        raise MessageTooLarge("header block too large")
                    return messages
                head = bytes(self._buffer[:end])
                self._need = end + len(_END) + content_length(head)
                if self._need > self.max_size:
                    raise MessageTooLarge("message too large")
            if len(self._buffer) < self._need:
                return messages
            messages.append(bytes(self._buffer[: self._need]))
            del self._buffer[: self._need]
            self._need = None
            self._scanned = 0

    def _skip_keepalives(self) -> None:
        skip = 0
        while skip < len(self._buffer) and self._buffer[skip] in b"\r\n":
            skip += 1
        if skip:
            del self._buffer[:skip]
            self._scanned = max(self._scanned - skip, 0)
