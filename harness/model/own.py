"""Checking a topology's own-program services (`run:` / `image:`) and their templates.

Called by the topology builder (topology.py): every problem is reported where the file writes
it, and every template names a link or listener that exists, before anything is started.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from harness.model.kinds import EVIDENCE, KINDS, OWN
from harness.model.program import (
    DEFAULT_START_TIMEOUT,
    Health,
    Program,
    parse_health,
    templates_in,
)
from harness.model.topology_file import ServiceFile

NAME = r"^[a-z][a-z0-9-]*$"
OWN_ONLY = ("listen", "health", "start_timeout", "offers")
HTTP_EVIDENCE = ("incidents", "incident-buffer")  # read from the program's http listener
Fail = Callable[[tuple[str | int, ...], str], None]


def check_mock(fail: Fail, path: tuple[str | int, ...], svc: ServiceFile) -> bool:
    """A mock service: a known kind (else False: it cannot be built) and none of the
    own-program keys (reported, but the mock is still built so nothing else cascades)."""
    for key in OWN_ONLY:
        if key in svc.model_fields_set:
            fail((*path, key), "only for a team's own program (give it run: or image:)")
    if svc.kind is None:
        fail(path, f"give a kind (known: {', '.join(KINDS)}) or run:/image: for your own program")
        return False
    if svc.kind not in KINDS:
        fail((*path, "kind"), f"unknown kind '{svc.kind}' (known: {', '.join(KINDS)})")
        return False
    return True


def own_program(
    fail: Fail, path: tuple[str | int, ...], svc: ServiceFile, base: Path, region: str | None
) -> tuple[str, tuple[str, ...], Program, frozenset[str]] | None:
    """(kind, listeners, program, offers) of an own-program service, or None if broken."""
    ok = True
    if svc.kind is not None and svc.kind not in KINDS:
        fail((*path, "kind"), f"unknown kind '{svc.kind}' (known: {', '.join(KINDS)})")
        ok = False
    listen = tuple(svc.listen or (KINDS[svc.kind].listeners if svc.kind in KINDS else ()))
    if not listen:
        fail(path, "name its listeners (listen: [sip], say): the harness chooses their ports")
        ok = False
    for index, name in enumerate(svc.listen or ()):
        if not re.match(NAME, name) or name in (svc.listen or [])[:index]:
            fail((*path, "listen", index), f"bad or repeated listener name '{name}'")
            ok = False
    health = _health(fail, path, svc, listen)
    offers = _offers(fail, path, svc, listen)
    template = _template(fail, path, svc, base)
    if not ok or health is None or offers is None or template is None:
        return None
    run = svc.run

    def expand(text: str) -> str:
        return text.replace("{region}", region) if region else text

    program = Program(
        command=tuple(expand(arg) for arg in run.command) if run else (),
        env=tuple((k, expand(v)) for k, v in run.env.items()) if run else (),
        template=template or None,  # "" for none
        config_to=run.config.to if run and run.config else None,
        image=svc.image,
        health=health,
        start_timeout=svc.start_timeout or DEFAULT_START_TIMEOUT,
    )
    return svc.kind or OWN, listen, program, offers


def _health(
    fail: Fail, path: tuple[str | int, ...], svc: ServiceFile, listen: tuple[str, ...]
) -> Health | None:
    if svc.health is None:
        return Health("http") if "http" in listen and svc.kind in KINDS else Health("tcp")
    try:
        return parse_health(svc.health)
    except ValueError as exc:
        fail((*path, "health"), str(exc))
        return None


def _offers(
    fail: Fail, path: tuple[str | int, ...], svc: ServiceFile, listen: tuple[str, ...]
) -> frozenset[str] | None:
    ok = True
    for index, name in enumerate(svc.offers):
        if name not in EVIDENCE:
            fail(
                (*path, "offers", index),
                f"unknown evidence '{name}' (known: {', '.join(EVIDENCE)})",
            )
            ok = False
        elif name in HTTP_EVIDENCE and "http" not in listen:
            fail((*path, "offers", index), f"'{name}' is read from an http listener: add one")
            ok = False
    return frozenset(svc.offers) if ok else None


def _template(fail: Fail, path: tuple[str | int, ...], svc: ServiceFile, base: Path) -> str | None:
    """The config template's absolute path, "" for none, None when it is missing."""
    if svc.run is None or svc.run.config is None:
        return ""
    file = (base / svc.run.config.template).resolve()
    if not file.is_file():
        fail((*path, "run", "config", "template"), f"no such config template: {file}")
        return None
    return str(file)


def check_templates(
    fail: Fail,
    path: tuple[str | int, ...],
    service: str,
    region: str | None,
    program: Program,
    listeners: tuple[str, ...],
    dials: Sequence[str],
) -> None:
    """Every `{link:..}` names a link `service` dials, every `{listen:..}` one of its own
    listeners: a typo is reported at load time, not as a program that cannot connect."""
    Place = tuple[tuple[str | int, ...], str, str]  # where, text, prefix for the message
    places: list[Place] = [
        ((*path, "run", "command", i), arg, "") for i, arg in enumerate(program.command)
    ]
    places += [((*path, "run", "env", key), value, "") for key, value in program.env]
    if program.template:
        text = Path(program.template).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            prefix = f"{Path(program.template).name}:{number}: "
            text_line = line.replace("{region}", region) if region else line
            places.append(((*path, "run", "config", "template"), text_line, prefix))
    for at, text, prefix in places:
        for form, target in templates_in(text):
            if form == "config" and (prefix or not program.config_to):
                fail(
                    at, f"{prefix}{{config}}: only in the command or env of a program with config:"
                )
            elif form == "listen" and target not in listeners:
                have = ", ".join(listeners)
                fail(
                    at,
                    f"{prefix}{{listen:{target}}}: {service} has no listener '{target}' (it has {have})",
                )
            elif form == "link" and target not in dials:
                known = ", ".join(dials) or "none: give it depends:"
                fail(at, f"{prefix}{{link:{target}}}: not a link {service} dials ({known})")
