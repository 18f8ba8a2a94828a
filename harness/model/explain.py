"""Pydantic's validation errors in the words of the person who wrote the file: the data path
without pydantic's class and union-branch names, one message per mistake, and the key's own
line where we know it (source.py keeps the lines).
"""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass, replace
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ValidationError

from harness.errors import Problem

Path_ = tuple[str | int, ...]


class Source(Protocol):
    """What explaining needs of a parsed file (harness.model.source.Source): its data and
    where each path of it stands."""

    file: str
    data: Any

    def line(self, path: Path_) -> int | None: ...


class AtKey(ValueError):
    """A validator's complaint about one key of the mapping it checks: the error then points
    at that key's line rather than at the mapping's."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def problems(src: Source, exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Every mistake once, as `file:line: path: message`."""
    errors = [_locate(src.data, err) for err in exc.errors()]
    found: list[Problem] = []
    for error in _collapse_unions(errors, src.data):
        problem = _problem(src, error, model)
        if problem not in found:
            found.append(problem)
    return found


def _problem(src: Source, error: _Located, model: type[BaseModel]) -> Problem:
    err, path = error.err, error.path
    kind = err["type"]
    if not path and kind in ("model_type", "dict_type", "model_attributes_type"):
        value = err.get("input")
        got = "the file is empty" if value is None else f"got {_kind(value)}"
        message = f"expected a mapping starting with version: 1; {got}"
        return Problem(src.file, src.line(()), f"document: {message}")
    if kind in ("missing", "extra_forbidden") and path:
        key, parent = path[-1], path[:-1]
        if kind == "missing":
            message = f"missing required key '{key}'"
        else:
            message = f"unknown key '{key}'" + _suggest(str(key), _keys_at(model, error.loc))
        return Problem(src.file, src.line(path), f"{_where(parent)}: {message}")
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, AtKey):
        path = (*path, cause.key)
    return Problem(src.file, src.line(path), f"{_where(path)}: {_message(err)}")


# --- locating pydantic errors in the data ---------------------------------------------------


@dataclass(frozen=True)
class _Located:
    err: dict[str, Any]
    loc: tuple[Any, ...]  # pydantic's loc, with its schema steps
    path: Path_  # the steps that are keys and indexes of the data
    branches: tuple[tuple[Path_, str], ...] = ()  # (where, which member) of unions on the way


def _locate(data: Any, err: Any) -> _Located:
    """Split pydantic's loc into the data path and the schema steps (union members such as
    'PatternFile' or "literal['steady']", validator names) by walking the data itself."""
    loc = tuple(err["loc"])
    node = data
    path: list[str | int] = []
    branches: list[tuple[Path_, str]] = []
    for i, step in enumerate(loc):
        if _has(node, step):
            node = node[step]
        elif i == len(loc) - 1 and err["type"] == "missing":
            pass  # the key that is not there
        else:
            if step != "[key]":
                branches.append((tuple(path), str(step)))
            continue
        path.append(step)
    return _Located(dict(err), loc, tuple(path), tuple(branches))


def _has(node: Any, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and type(step) is int and 0 <= step < len(node)


# Error types that say "this member of the union wanted another kind of value here".
_SHAPE = {
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "dict_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "none_required": "nothing",
    "literal_error": "",
}


def _collapse_unions(errors: list[_Located], data: Any) -> list[_Located]:
    """Where a value may take several forms, pydantic reports a failure per form. Keep the
    errors of the forms whose kind of value the user did write (a mapping for a pattern
    mapping); when none fits, say once what would have."""
    out: list[_Located] = []
    unions: dict[Path_, dict[str, list[_Located]]] = {}
    for e in errors:
        if e.branches:
            where, member = e.branches[0]
            unions.setdefault(where, {}).setdefault(member, []).append(e)
        else:
            out.append(e)
    for where, members in unions.items():
        fitting = [
            e for errs in members.values() if not all(_misfit(e, where) for e in errs) for e in errs
        ]
        if len(members) == 1 or fitting:
            chosen = fitting or next(iter(members.values()))
            out += _collapse_unions([replace(e, branches=e.branches[1:]) for e in chosen], data)
            continue
        wanted = list(dict.fromkeys(_wanted(e) for errs in members.values() for e in errs))
        got = _kind(_value_at(data, where))
        err = {"type": "union", "msg": f"expected {' or '.join(wanted)}, got {got}"}
        out.append(_Located(err, (), where))
    return out


def _misfit(e: _Located, where: Path_) -> bool:
    return e.path == where and e.err["type"] in _SHAPE


def _wanted(e: _Located) -> str:
    if e.err["type"] == "literal_error":
        return str((e.err.get("ctx") or {}).get("expected", "another value"))
    return _SHAPE[e.err["type"]]


def _value_at(data: Any, path: Path_) -> Any:
    for step in path:
        data = data[step]
    return data


# --- messages ---------------------------------------------------------------------------------

_NAMES = {
    r"^[a-z0-9][a-z0-9._-]*$": "use lower-case letters, digits, '.', '_' and '-'",
    r"^[a-z][a-z0-9-]*$": "use lower-case letters, digits and '-', starting with a letter",
}


def _where(path: Path_) -> str:
    return ".".join(str(p) for p in path) or "document"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 40 else f"'{value[:37]}...'"
    return repr(value)


def _message(err: dict[str, Any]) -> str:
    kind, ctx, got = err["type"], err.get("ctx") or {}, _kind(err.get("input"))
    if kind == "union":
        return str(err["msg"])
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        many = ", " in expected
        return f"must be {'one of ' if many else ''}{expected}, got {got}"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        count = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"expected {bound} {count} items, got {ctx.get('actual_length')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<"}.get(kind, "<=")
        limit = next(iter(ctx.values()), "?")
        return f"must be {op} {limit}, got {got}"
    if kind == "string_pattern_mismatch":
        hint = _NAMES.get(str(ctx.get("pattern")), f"it must match {ctx.get('pattern')}")
        return f"bad name {got}: {hint}"
    if kind in _SHAPE:
        return f"expected {_SHAPE[kind]}, got {got}"
    return str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _suggest(key: str, known: list[str] | None) -> str:
    if not known:
        return ""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (known: {', '.join(known)})"


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys the model accepts where an unknown key was found (for a suggestion)."""
    current: Any = model
    for step in loc[:-1]:
        current = _step(current, step)
        if current is None:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return None


def _unwrap(tp: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(tp) if m is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return tp


def _step(tp: Any, step: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for name, f in tp.model_fields.items():
            if step in (name, f.alias):
                return f.annotation
        return None
    if origin in (typing.Union, types.UnionType):  # the step names the member
        return next((m for m in typing.get_args(tp) if getattr(m, "__name__", None) == step), None)
    if origin in (list, tuple) and isinstance(step, int):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    return None
