"""A team's own program in the topology: how it is started, where it listens, how it is checked.

A topology service with `run:` (local backend) or `image:` (compose backend) is not a mock: the
harness starts the team's program and hands it every address it needs through templates, so each
link to and from it still goes through its own Toxiproxy proxy:

    {link:sip-router->meldkamer-rotterdam}   host:port of that link's proxy
    {listen:sip}                             host:port where the program must listen
    {config}                                 the rendered config file (command and env only)

Templates work in the command, the environment and the rendered config file. Only these forms
are templates, so braces of the program's own config language are left alone. The program runs
in the topology file's folder, so its paths read like the topology's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator

TEMPLATE_RE = re.compile(r"\{(link|listen):([^{}]*)\}|\{(config)\}")
HEALTH_FORMS = ("tcp", "http GET /PATH", "sip OPTIONS")
DEFAULT_START_TIMEOUT = 20.0


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigFile(_Strict):
    template: str  # relative to the topology file
    to: str  # relative to the program's run folder

    @field_validator("to")
    @classmethod
    def _inside(cls, value: str) -> str:
        path = PurePosixPath(value)
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError(f"'{value}': give a path inside the program's run folder")
        return value


class RunFile(_Strict):
    command: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    config: ConfigFile | None = None


@dataclass(frozen=True)
class Health:
    """How the harness knows a program is up: a TCP connect, an HTTP GET answered 200, or a
    SIP OPTIONS given any final answer - on the listener named like the protocol, else the primary."""

    check: str  # tcp | http | sip
    path: str = "/health"  # for http

    def listener(self, listeners: tuple[str, ...]) -> str:
        return self.check if self.check in listeners else listeners[0]

    def __str__(self) -> str:
        return {"tcp": "tcp", "http": f"http GET {self.path}", "sip": "sip OPTIONS"}[self.check]


MOCK_HEALTH = Health("http", "/health")  # every mock answers GET /health on its http listener


def parse_health(text: str) -> Health:
    """`tcp`, `http GET /path` or `sip OPTIONS`. Raises ValueError."""
    words = text.split()
    if words == ["tcp"]:
        return Health("tcp")
    if len(words) == 3 and words[:2] == ["http", "GET"] and words[2].startswith("/"):
        return Health("http", words[2])
    if words == ["sip", "OPTIONS"]:
        return Health("sip")
    raise ValueError(f"bad health check '{text}' (use {', '.join(HEALTH_FORMS)})")


@dataclass(frozen=True)
class Program:
    """A team's program: `command` and `env` for the local backend, `image` for compose; the
    config `template` (an absolute path, already checked) is rendered to `config_to`."""

    command: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    template: str | None = None
    config_to: str | None = None
    image: str | None = None
    health: Health = Health("tcp")
    start_timeout: float = DEFAULT_START_TIMEOUT


def templates_in(text: str) -> list[tuple[str, str]]:
    """Every `(link|listen, name)` or `(config, "")` template in `text`, in order."""
    return [(m[1] or m[3], m[2] or "") for m in TEMPLATE_RE.finditer(text)]


class UnknownTemplate(KeyError):
    pass


def render(
    text: str, links: Mapping[str, str], listen: Mapping[str, str], config: str | None = None
) -> str:
    """`text` with every template replaced by its address. UnknownTemplate names the first
    template that has none (the topology loader reports those before anything starts)."""

    def address(match: re.Match[str]) -> str:
        if match[3]:
            if config is None:
                raise UnknownTemplate(match[0])
            return config
        table = links if match[1] == "link" else listen
        if match[2] not in table:
            raise UnknownTemplate(match[0])
        return table[match[2]]

    return TEMPLATE_RE.sub(address, text)
