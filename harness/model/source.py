"""Safe YAML loading that remembers where every value came from, so errors read `file:line`.

ruamel.yaml's round-trip loader is safe (it builds no Python objects from tags), rejects
duplicate keys and records line numbers; we convert its nodes to plain data plus a map from
each path (as pydantic reports it in `loc`) to a 1-based line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from harness.errors import InvalidInput, Problem

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 1 << 20  # a scenario is text a person writes; anything larger is a mistake


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
            raise InvalidInput([self._translate(err) for err in exc.errors()]) from None

    def _translate(self, err: Any) -> Problem:
        loc = tuple(err["loc"])
        # Pydantic puts tagged-union and validator names into loc; keep the data path.
        data_loc = tuple(p for p in loc if self._is_data_step(loc, p))
        where = ".".join(str(p) for p in data_loc) or "document"
        message = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown key '{data_loc[-1]}'" if data_loc else "unknown key"
            where = ".".join(str(p) for p in data_loc[:-1]) or "document"
        elif err["type"] == "missing":
            message = f"missing required key '{data_loc[-1]}'" if data_loc else message
            where = ".".join(str(p) for p in data_loc[:-1]) or "document"
        return Problem(self.file, self.line(data_loc), f"{where}: {message}")

    def _is_data_step(self, loc: Path_, step: str | int) -> bool:
        if isinstance(step, int):
            return True
        return not (step.startswith(("function-", "tagged-union[")) or "[" in step)


def _plain(node: Any, path: Path_, lines: dict[Path_, int]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            child = (*path, key if isinstance(key, int) else str(key))
            pos = node.lc.key(key)
            lines[child] = pos[0] + 1
            out[str(key) if not isinstance(key, int | bool) else key] = _plain(value, child, lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            lines[child] = node.lc.item(index)[0] + 1
            items.append(_plain(value, child, lines))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's scalar-string subclasses
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def parse_yaml(text: str, file: str) -> Source:
    """Parse YAML text; a syntax error becomes InvalidInput with its line."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput([Problem(file, line, f"YAML: {reason}")]) from None
    except YAMLError as exc:
        raise InvalidInput([Problem(file, None, f"YAML: {exc}")]) from None
    except (ValueError, TypeError, RecursionError) as exc:  # ruamel's constructor edge cases
        raise InvalidInput([Problem(file, None, f"YAML: {exc}")]) from None
    lines: dict[Path_, int] = {(): 1}
    return Source(file, _plain(root, (), lines), lines)


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
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput([Problem(str(path), None, f"cannot read: {exc}")]) from None
    return parse_yaml(text, str(path))
