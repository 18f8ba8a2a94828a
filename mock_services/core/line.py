"""The C2000 line protocol, without any I/O: framing, commands, answers.

TCP, UTF-8 lines ending in `\\n` (a `\\r` before it is tolerated), at most 1024 bytes each:

    PTT <talkgroup> <unit>     -> GRANT <talkgroup> <unit>
    STATUS <unit> <code>       -> ACK <unit>
    MSG <talkgroup> <text>     -> ACK
    PING                       -> PONG
    anything else              -> ERR <reason>
    a line over 1024 bytes     -> ERR too-long, and the connection closes
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LINE = 1024  # bytes, the newline included
_TOKEN = re.compile(r"^[A-Za-z0-9._:/#+-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
ARITY = {"PTT": 2, "STATUS": 2, "MSG": 2, "PING": 0}


class LineTooLong(Exception):
    """No newline within MAX_LINE bytes: the stream cannot be trusted any more."""


class LineError(ValueError):
    """A line that is not a command; `reason` is what follows ERR."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LineFramer:
    """Feed it bytes as they arrive; it returns every complete line (without its newline)."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self._buffer = bytearray()

    @property
    def pending(self) -> bool:
        return bool(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        lines: list[bytes] = []
        start = 0
        while (end := self._buffer.find(b"\n", start)) >= 0:
            if end + 1 - start > self.max_line:
                raise LineTooLong
            lines.append(bytes(self._buffer[start:end]))
            start = end + 1
        del self._buffer[:start]
        if len(self._buffer) >= self.max_line:
            raise LineTooLong
        return lines


@dataclass(frozen=True)
class Command:
    verb: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join((self.verb, *self.args))


def parse(line: bytes) -> Command:
    """One line as a command; LineError with the ERR reason otherwise."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("not-utf8") from None
    text = text.removesuffix("\r")
    if _CONTROL.search(text):
        raise LineError("control-characters")
    if not text.strip():
        raise LineError("empty")
    verb, _, rest = text.strip().partition(" ")
    if verb not in ARITY:
        raise LineError("unknown-command")
    arity = ARITY[verb]
    args = tuple(rest.strip().split(None, arity - 1)) if arity and rest.strip() else ()
    if verb == "PING" and rest.strip():
        raise LineError("bad-arguments")
    if len(args) != arity:
        raise LineError("bad-arguments")
    tokens = args if verb != "MSG" else args[:1]  # a message's text is free
    if not all(_TOKEN.match(token) for token in tokens):
        raise LineError("bad-arguments")
    return Command(verb, args)


def encode(line: str) -> bytes:
    return line.encode("utf-8") + b"\n"
