"""Toxiproxy's toxics and their attributes, so a scenario is checked before any proxy is touched.

Time attributes take a duration (`3s`, `250ms`) or a bare number in Toxiproxy's own unit.
`down` is not a Toxiproxy toxic: it disables the proxy (connections refused), as the
Toxiproxy clients' `down` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.model.duration import parse_duration


@dataclass(frozen=True)
class Attribute:
    name: str
    unit: str  # "ms", "us", "KB/s", "bytes", "count"
    default: int | None = None

    def to_native(self, value: object) -> int:
        """Toxiproxy's integer in `unit`; durations convert, bare numbers are taken as given."""
        if isinstance(value, bool):
            raise ValueError(f"'{self.name}' must be a number, got {value!r}")
        if self.unit in ("ms", "us") and isinstance(value, str):
            seconds = parse_duration(value)
            return round(seconds * (1000 if self.unit == "ms" else 1_000_000))
        if isinstance(value, int | float) and value >= 0 and value == value:
            return int(value)
        raise ValueError(
            f"'{self.name}' must be a non-negative number in {self.unit}, got {value!r}"
        )


@dataclass(frozen=True)
class ToxicType:
    name: str
    attributes: tuple[Attribute, ...]
    summary: str

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def native(self, name: str, value: object) -> int:
        """`value` of attribute `name` in Toxiproxy's unit; ValueError says what is wrong."""
        attribute = self.attribute(name)
        if attribute is None:
            known = ", ".join(a.name for a in self.attributes) or "none"
            raise ValueError(f"toxic {self.name} has no attribute '{name}' (it has: {known})")
        return attribute.to_native(value)


TOXICS: dict[str, ToxicType] = {
    t.name: t
    for t in (
        ToxicType("down", (), "proxy disabled: new connections refused, open ones dropped"),
        ToxicType(
            "latency",
            (Attribute("latency", "ms", 0), Attribute("jitter", "ms", 0)),
            "delay every chunk of data",
        ),
        ToxicType("bandwidth", (Attribute("rate", "KB/s", 0),), "limit throughput"),
        ToxicType("slow_close", (Attribute("delay", "ms", 0),), "delay closing the connection"),
        ToxicType(
            "timeout",
            (Attribute("timeout", "ms", 0),),
            "stop all data; close after timeout (0: never)",
        ),
        ToxicType("reset_peer", (Attribute("timeout", "ms", 0),), "reset the connection (RST)"),
        ToxicType(
            "slicer",
            (
                Attribute("average_size", "bytes", 1),
                Attribute("size_variation", "bytes", 0),
                Attribute("delay", "us", 0),
            ),
            "slice data into small bits",
        ),
        ToxicType(
            "limit_data",
            (Attribute("bytes", "bytes", 0),),
            "close the connection after so many bytes",
        ),
    )
}

STREAMS = ("upstream", "downstream")
