"""The C2000 line protocol: framing, commands, answers, and bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.c2000 import respond
from mock_services.core.line import Command, LineError, LineFramer, LineTooLong, encode, parse


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        (b"PTT tg-rotterdam unit-12", "GRANT tg-rotterdam unit-12"),
        (b"STATUS unit-12 5", "ACK unit-12"),
        (b"MSG tg-rotterdam incident 42 unit 7 go", "ACK"),
        (b"PING", "PONG"),
        (b"PING\r", "PONG"),
    ],
)
def test_every_command_gets_its_answer(line: bytes, answer: str) -> None:
    assert respond(parse(line)) == answer


def test_a_message_keeps_its_text_with_spaces() -> None:
    assert parse(b"MSG tg-1 two  words") == Command("MSG", ("tg-1", "two  words"))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"HELLO", "unknown-command"),
        (b"ptt tg unit", "unknown-command"),
        (b"PTT tg", "bad-arguments"),
        (b"PTT tg unit extra", "bad-arguments"),
        (b"STATUS unit", "bad-arguments"),
        (b"MSG tg", "bad-arguments"),
        (b"PING now", "bad-arguments"),
        ("PTT tég unit".encode(), "bad-arguments"),
        (b"PTT tg \xff", "not-utf8"),
        (b"MSG tg a\x00b", "control-characters"),
    ],
)
def test_anything_else_is_an_error_with_a_reason(line: bytes, reason: str) -> None:
    with pytest.raises(LineError) as caught:
        parse(line)
    assert caught.value.reason == reason


def test_lines_are_cut_at_newlines_across_reads() -> None:
    framer = LineFramer()
    assert framer.feed(b"PING\nPTT tg") == [b"PING"]
    assert framer.pending
    assert framer.feed(b" u\n") == [b"PTT tg u"]
    assert not framer.pending


def test_a_line_of_exactly_1024_bytes_with_its_newline_is_accepted() -> None:
    line = b"MSG tg " + b"a" * (1024 - 8)
    assert LineFramer().feed(line + b"\n") == [line]


def test_a_longer_line_is_too_long_even_before_its_newline_arrives() -> None:
    with pytest.raises(LineTooLong):
        LineFramer().feed(b"MSG tg " + b"a" * 1100 + b"\n")
    with pytest.raises(LineTooLong):
        LineFramer().feed(b"a" * 1024)


def test_answers_are_one_utf8_line() -> None:
    assert encode("GRANT tg u") == b"GRANT tg u\n"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=15))
def test_any_bytes_give_lines_commands_or_protocol_errors_never_another_exception(
    chunks: list[bytes],
) -> None:
    framer = LineFramer()
    try:
        for chunk in chunks:
            for line in framer.feed(chunk):
                assert len(line) < 1024
                try:
                    answer = respond(parse(line))
                except LineError as exc:
                    answer = f"ERR {exc.reason}"
                assert "\n" not in answer
    except LineTooLong:
        return
