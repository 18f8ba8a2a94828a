"""Safe YAML loading that remembers where every value came from, so errors read `file:line`.

ruamel.yaml's round-trip loader is safe (it builds no Python objects from tags), rejects
duplicate keys and records line numbers; we convert its nodes to plain data plus a map from
each path (as pydantic reports it in `loc`) to a 1-based line, so that pydantic's errors can
point at lines (explain.py puts them into words).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLWarning

from harness.errors import InvalidInput, Problem
from harness.model.explain import Path_, problems

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 1 << 20  # a scenario is text a person writes; anything larger is a mistake
MAX_VALUES = 100_000  # YAML aliases can multiply a small file into a huge tree


@dataclass
class Source:
    """Plain data loaded from one YAML file, with the line of every key and item."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Iterable[str | int]) -> int | None:
        """The line of the deepest known prefix of `path` (pydantic locs may go deeper)."""
        loc = tuple(path)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def problem(self, path: Iterable[str | int], message: str) -> Problem:
        return Problem(self.file, self.line(path), message)

    def validate(self, model: type[M], context: dict[str, Any] | None = None) -> M:
        """Validate `data` against a pydantic model; report every error as `file:line`."""
        try:
            return model.model_validate(self.data, context=context)
        except ValidationError as exc:
            raise InvalidInput(problems(self, exc, model)) from None


# --- YAML -> plain data -------------------------------------------------------------------


class _Plain:
    """ruamel's nodes -> dicts, lists and scalars, recording the line of every key and item."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[Path_, int] = {(): 1}
        self.values = 0

    def convert(self, node: Any, path: Path_, parents: tuple[int, ...] = ()) -> Any:
        self.values += 1
        if self.values > MAX_VALUES or id(node) in parents:
            raise self.error(path, f"more than {MAX_VALUES} values, or a value containing itself")
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, CommentedMap | CommentedSeq) and tag is not None:
            raise self.error(path, f"tags such as {_tag(tag)} are not allowed")
        if isinstance(node, CommentedMap):
            out: dict[Any, Any] = {}
            for key, value in node.items():
                child = (*path, key if isinstance(key, int) else str(key))
                self.lines[child] = node.lc.key(key)[0] + 1
                name = str(key) if not isinstance(key, int | bool) else key
                out[name] = self.convert(value, child, (*parents, id(node)))
            return out
        if isinstance(node, CommentedSeq):
            items = []
            for index, value in enumerate(node):
                child = (*path, index)
                self.lines[child] = node.lc.item(index)[0] + 1
                items.append(self.convert(value, child, (*parents, id(node))))
            return items
        return self.scalar(node, path)

    def scalar(self, node: Any, path: Path_) -> Any:
        if isinstance(node, TaggedScalar):
            if node.tag.value == "tag:yaml.org,2002:str":
                return str(node.value)
            raise self.error(path, f"tags such as {_tag(node.tag.value)} are not allowed")
        if isinstance(node, str):
            return str(node)  # drop ruamel's scalar-string subclasses
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, dt.date):  # unquoted 2020-09-15: keep it as the text it was
            return node.isoformat()
        if node is None:
            return None
        raise self.error(path, f"unsupported value of type {type(node).__name__}")

    def error(self, path: Path_, message: str) -> InvalidInput:
        line = Source(self.file, None, self.lines).line(path)
        return InvalidInput([Problem(self.file, line, f"YAML: {message}")])


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def parse_yaml(text: str, file: str) -> Source:
    """Parse YAML text; a syntax error becomes InvalidInput with its line."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", YAMLWarning)  # a reused anchor: ambiguous, refuse it
            root = yaml.load(text)
    except YAMLWarning as exc:
        detail = [part.strip() for part in str(exc).splitlines() if part.strip()]
        lines = re.findall(r"line (\d+)", str(exc))
        line = int(lines[-1]) if lines else None
        raise InvalidInput([Problem(file, line, f"YAML: {detail[0] if detail else exc}")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput([Problem(file, line, f"YAML: {reason}")]) from None
    except YAMLError as exc:
        raise InvalidInput([Problem(file, None, f"YAML: {exc}")]) from None
    except (ValueError, TypeError, RecursionError) as exc:  # ruamel's constructor edge cases
        raise InvalidInput([Problem(file, None, f"YAML: {exc}")]) from None
    plain = _Plain(file)
    try:
        data = plain.convert(root, ())
    except RecursionError:
        raise InvalidInput([Problem(file, None, "YAML: nested too deeply")]) from None
    return Source(file, data, plain.lines)


def load_yaml(path: Path) -> Source:
    """Read and parse a YAML file; unreadable files are invalid input, not crashes."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput([Problem(str(path), None, f"file is {size} bytes; limit 1 MiB")])
        text = path.read_text(encoding="utf-8")
    except InvalidInput:
        raise
    except FileNotFoundError:
        raise InvalidInput([Problem(str(path), None, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidInput([Problem(str(path), None, "is a folder, not a YAML file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(str(path), None, f"cannot read: {exc}")]) from None
    return parse_yaml(text, str(path))
