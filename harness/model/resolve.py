"""Resolution: a validated scenario file, checked against its topology and clock, becomes the
runtime scenario. Globs and regions become concrete link and service names, times become
seconds of scenario time, toxic attributes Toxiproxy's units. Every problem is collected with
its line, so one `harness validate` shows them all.
"""

from __future__ import annotations

import difflib
import fnmatch
import math
from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path

from harness.errors import InvalidInput, Problem
from harness.model.duration import parse_duration
from harness.model.floor import damage_needs, needs, spacings
from harness.model.needs import missing_evidence
from harness.model.resolve_clock import base_clock, focused, problem
from harness.model.resolve_load import resolve_load
from harness.model.runtime import (
    Action,
    AppAction,
    Check,
    Clock,
    Fault,
    Flap,
    Pattern,
    ProcessAction,
    Ramp,
    Scenario,
    Steady,
    ToxicAction,
    Window,
)
from harness.model.scenario_file import (
    OPS,
    TIME_METRICS,
    ActionFile,
    CheckFile,
    FaultFile,
    PatternFile,
    ScenarioFile,
    TargetFile,
    WindowFile,
    app_fault,
)
from harness.model.source import Source
from harness.model.topology import Topology, load_topology
from harness.model.toxics import TOXICS
from harness.model.traffic import TRAFFIC_CLASSES, TrafficClass, unknown_traffic
from harness.model.user_check import user_class_problems

Path_ = tuple[str | int, ...]
COMPARISONS = tuple(zip(OPS, ("ge", "le", "eq", "lt", "gt"), strict=True))  # YAML key, field
# Metrics of one traffic class; incidents_reconciled defaults to the class it applies to.
TRAFFIC_METRICS = (
    "success_ratio",
    "latency",
    "max_gap",
    "max_scenario_gap",
    "via_ratio",
    "requests",
    "outage_spans",
    "answered_by_ratio",
)


def _near(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def resolve(src: Source, spec: ScenarioFile, index: dict[str, list[int]], base: Path) -> Scenario:
    """`index` maps each list (faults, assertions, halt) to the file's index of every item
    in `spec` (the items that failed the schema check are missing from `spec`)."""
    r = _Resolver(src, _topology(src, spec, base), base_clock(src, spec))
    load = resolve_load(spec.load, r.topology, base, r.fail, user_class_problems)
    r.classes = {**TRAFFIC_CLASSES, **{x.traffic: x.declared for x in load if x.declared}}
    faults = r.faults(zip(index["faults"], spec.faults, strict=True))
    r.fault_names = {f.name for f in spec.faults}
    assertions = tuple(
        r.check(c, ("assertions", i), halt=False)
        for i, c in zip(index["assertions"], spec.assertions, strict=True)
    )
    halts = tuple(
        r.check(c, ("halt", i), halt=True) for i, c in zip(index["halt"], spec.halt, strict=True)
    )
    lines = [src.line(("assertions", i, "during")) for i in index["assertions"]]
    checks = list(zip(assertions, lines, strict=True))
    min_samples = spec.clock.min_samples
    floor = needs(checks, load, r.topology, r.clock.span, min_samples) + damage_needs(
        checks, faults, load, r.topology, r.clock.span, min_samples
    )
    clock = focused(r.clock, spec.clock, floor, r.offset, r.src)
    if r.problems:
        raise InvalidInput(r.problems)
    return Scenario(
        name=spec.name,
        description=spec.description,
        file=src.file,
        topology=r.topology,
        clock=clock,
        seed=spec.seed,
        load=load,
        faults=faults,
        assertions=assertions,
        halts=halts,
        sources=tuple(spec.sources),
        assumptions=tuple(spec.assumptions),
        max_drift=spec.max_drift,
        floor=floor,
        spacing=spacings(checks, load, r.topology, r.clock.span),
        min_samples=spec.clock.min_samples,
        design=None if spec.design is None else _topology(src, spec, base, "design"),
    )


def _topology(src: Source, spec: ScenarioFile, base: Path, key: str = "topology") -> Topology:
    named = spec.design if key == "design" and spec.design is not None else spec.topology
    path = (base / named).resolve()
    if not path.is_file():
        raise InvalidInput([problem(src, (key,), f"no such file: {path}")])
    try:
        return load_topology(path)
    except InvalidInput as exc:
        line = src.line((key,))
        raise InvalidInput(
            [Problem(src.file, line, f"topology {named} is invalid"), *exc.problems]
        ) from None


class _Resolver:
    def __init__(self, src: Source, topology: Topology, clock: Clock) -> None:
        self.src, self.topology, self.clock = src, topology, clock
        self.problems: list[Problem] = []
        self.fault_names: set[str] = set()  # what an assertion's `shows` may name
        self.classes: dict[str, TrafficClass] = dict(TRAFFIC_CLASSES)  # and the declared ones

    def fail(self, path: Path_, message: str) -> None:
        self.problems.append(problem(self.src, path, message))

    # --- time ---

    def offset(self, point: datetime | float, path: Path_) -> float:
        t = point if isinstance(point, float) else (point - self.clock.start).total_seconds()
        if not 0 <= t <= self.clock.span:
            self.fail(
                path, f"time {point} is outside the clock ({self.clock.start} to {self.clock.end})"
            )
        return t

    def window(self, w: WindowFile | None, path: Path_) -> Window:
        if w is None:
            return Window(0.0, self.clock.span)
        start = self.offset(w.start, (*path, "from")) if w.start is not None else 0.0
        end = self.offset(w.until, (*path, "until")) if w.until is not None else self.clock.span
        if end <= start:
            self.fail(path, "the window ends before it starts")
        return Window(start, end)

    # --- targets ---

    def named(
        self,
        known: Collection[str],
        what: str,
        name: str | None,
        globs: str | list[str] | None,
        path: Path_,
    ) -> tuple[str, ...] | None:
        """`link: a->b` (one known name) or `links: [glob, ...]` (every match, in order, each
        once), and likewise for services; None when the target names neither."""
        if name is not None:
            if name not in known:
                self.fail((*path, what), f"unknown {what} '{name}'" + _near(name, known))
                return ()
            return (name,)
        if globs is None:
            return None
        found: list[str] = []
        for glob in [globs] if isinstance(globs, str) else globs:
            hits = sorted(n for n in known if fnmatch.fnmatchcase(n, glob))
            if not hits:
                self.fail((*path, f"{what}s"), f"no {what} matches '{glob}'")
            found += [h for h in hits if h not in found]
        return tuple(found)

    def links(self, t: TargetFile, path: Path_) -> tuple[str, ...]:
        """The links named, or every link into the services named."""
        links = self.topology.links
        named = self.named(links, "link", t.link, t.links, path)
        if named is not None:
            return named
        services = self.services(t, path)
        return tuple(sorted(n for n, link in links.items() if link.target in services))

    def services(self, t: TargetFile, path: Path_) -> tuple[str, ...]:
        named = self.named(self.topology.services, "service", t.service, t.services, path)
        if named is not None:
            return named
        if t.region is not None:
            if t.region not in self.topology.regions:
                self.fail((*path, "region"), f"unknown region '{t.region}'")
                return ()
            return tuple(s.name for s in self.topology.services_in(t.region))
        self.fail(path, "a process, container or app fault targets services, not links")
        return ()

    # --- faults ---

    def faults(self, numbered: Iterable[tuple[int, FaultFile]]) -> tuple[Fault, ...]:
        names: set[str] = set()
        faults = []
        for i, f in numbered:
            if f.name in names:
                self.fail(("faults", i, "name"), f"duplicate fault name '{f.name}'")
            names.add(f.name)
            faults.append(self.fault(f, ("faults", i)))
        return tuple(faults)

    def fault(self, f: FaultFile, path: Path_) -> Fault:
        action = _action(f.action)
        target = (*path, "target")
        on_links = isinstance(action, ToxicAction)
        links = self.links(f.target, target) if on_links else ()
        services = () if on_links else self.services(f.target, target)
        pattern = self.pattern(f.pattern, action, (*path, "pattern"))
        window = self.window(f.when, (*path, "when"))
        return Fault(
            f.name, action, window, pattern, links, services, f.source, f.assumption, f.description
        )

    def pattern(self, p: PatternFile | str, action: Action, path: Path_) -> Pattern:
        if not isinstance(p, PatternFile):
            return Steady()
        if (p.flap is None) == (p.ramp is None):
            self.fail(path, "a pattern is steady, {flap: ...} or {ramp: ...}")
            return Steady()
        if p.flap is not None:
            for key, (low, high) in (("up", p.flap.up), ("down", p.flap.down)):
                if low > high or low <= 0:
                    self.fail((*path, "flap", key), "must be [min, max] with 0 < min <= max")
            return Flap(p.flap.up, p.flap.down, p.flap.first, p.flap.independent)
        assert p.ramp is not None
        ramp = p.ramp
        if (
            not isinstance(action, ToxicAction)
            or TOXICS[action.toxic].attribute(ramp.attribute) is None
        ):
            self.fail(
                (*path, "ramp", "attribute"),
                f"a ramp needs a toxic with attribute '{ramp.attribute}'",
            )
        for key, value in (("from", ramp.start), ("to", ramp.to)):
            if not (math.isfinite(value) and value >= 0):
                self.fail((*path, "ramp", key), f"must be a non-negative number, got {value:g}")
        return Ramp(ramp.attribute, ramp.start, ramp.to, ramp.steps)

    # --- assertions and halts ---

    def check(self, c: CheckFile, path: Path_, halt: bool) -> Check:
        op, raw = next((op, getattr(c, k)) for op, k in COMPARISONS if getattr(c, k) is not None)
        threshold = self.threshold(c.metric, raw, (*path, op))
        self.check_selection(c, path)
        if halt and c.halt_window is None:
            self.fail(path, "a halt condition needs a window (e.g. window: 5s)")
        if halt and c.metric in ("answered_by_ratio", "unexpected_damage"):
            self.fail((*path, "metric"), f"{c.metric} is an assertion, not a halt condition")
        if halt and c.during is not None:
            self.fail((*path, "during"), "a halt condition watches a sliding window, not during")
        if not halt and c.halt_window is not None:
            self.fail((*path, "window"), "window is for halt conditions; use during")
        return Check(
            name=c.name or f"{c.metric} {c.traffic or ''} {op} {raw}".replace("  ", " "),
            metric=c.metric,
            op=op,
            threshold=threshold,
            traffic=c.traffic,
            per=c.per,
            region=c.region,
            window=self.window(c.during, (*path, "during")) if c.during is not None else None,
            percentile=c.percentile,
            via=c.via,
            answered_by=c.answered_by,
            halt_window=c.halt_window,
            min_requests=c.min_requests,
            shows=self.shows(c, path, halt),
            source=c.source,
            assumption=c.assumption,
        )

    def shows(self, c: CheckFile, path: Path_, halt: bool) -> tuple[str, ...]:
        names = (c.shows,) if isinstance(c.shows, str) else tuple(c.shows or ())
        if halt and names:
            self.fail((*path, "shows"), "shows is for assertions: a halt stops a run")
        for name in names:
            if name not in self.fault_names:
                self.fail((*path, "shows"), f"no fault '{name}'{_near(name, self.fault_names)}")
        return names

    def threshold(self, metric: str, raw: float | str, path: Path_) -> float:
        """Seconds for time metrics (`2s`), a ratio or count otherwise."""
        try:
            threshold = parse_duration(raw) if metric in TIME_METRICS else float(raw)
        except (TypeError, ValueError) as exc:
            self.fail(
                path, str(exc) if metric in TIME_METRICS else f"expected a number, got {raw!r}"
            )
            return 0.0
        if not math.isfinite(threshold):
            self.fail(path, f"the threshold must be a finite number, got {raw!r}")
        return threshold

    def check_selection(self, c: CheckFile, path: Path_) -> None:
        """What the metric looks at: a known traffic class it applies to, a known region."""
        traffic = self.classes.get(c.traffic) if c.traffic is not None else None
        if c.traffic is not None and traffic is None:
            self.fail((*path, "traffic"), unknown_traffic(c.traffic, self.classes))
        if traffic is not None and c.metric not in traffic.metrics:
            applies = [t.name for t in self.classes.values() if c.metric in t.metrics]
            self.fail(
                (*path, "metric"),
                f"metric {c.metric} does not apply to {traffic.name} "
                f"(it does to: {', '.join(applies)})",
            )
        if c.metric in TRAFFIC_METRICS and not c.traffic:
            self.fail(path, f"metric {c.metric} needs a traffic class")
        if c.metric == "latency" and c.percentile is None:
            self.fail(path, "metric latency needs a percentile (e.g. percentile: 95)")
        if c.metric == "via_ratio" and not c.via:
            self.fail(path, "metric via_ratio needs via (console or radio-sets)")
        if c.via and c.metric not in ("via_ratio", "outage_spans"):
            self.fail((*path, "via"), "via goes with metric via_ratio or outage_spans")
        if (c.metric == "answered_by_ratio") != (c.answered_by is not None):
            self.fail(path, "answered_by (own or backup) goes with metric answered_by_ratio")
        if traffic is None or c.metric in traffic.metrics:  # else: reported above
            client = traffic.client if traffic is not None else None
            reads = "via_ratio" if c.via else c.metric  # `via` is read from dispatch answers
            if (why := missing_evidence(reads, self.topology, client)) is not None:
                self.fail((*path, "metric"), why)
        if c.region is not None and c.region not in self.topology.regions:
            self.fail((*path, "region"), f"unknown region '{c.region}'")
        elif traffic is not None and traffic.exchange is not None:
            self.check_declared_regions(c, traffic, path)

    def check_declared_regions(self, c: CheckFile, traffic: TrafficClass, path: Path_) -> None:
        """A declared class has users only in the regions it names (none: national)."""
        if c.per == "region" and traffic.regions is None:
            self.fail((*path, "per"), f"traffic {traffic.name} is national: give it regions")
        if c.region is not None and c.region not in (traffic.regions or ()):
            self.fail((*path, "region"), f"traffic {traffic.name} has no users in {c.region}")


def _action(a: ActionFile) -> Action:
    """The action in Toxiproxy's units (toxic attributes with their defaults filled in)."""
    if a.toxic is not None:
        toxic = TOXICS[a.toxic]
        attrs = {x.name: x.default for x in toxic.attributes if x.default is not None}
        for key, value in (a.model_extra or {}).items():
            attr = toxic.attribute(key)
            assert attr is not None  # checked by ActionFile
            attrs[key] = attr.to_native(value)
        return ToxicAction(a.toxic, tuple(sorted(attrs.items())), a.stream, a.toxicity)
    if a.app is not None:
        return AppAction(tuple(sorted(app_fault(a.app).items())))
    verb = a.process if a.process is not None else a.container
    assert verb is not None  # ActionFile holds exactly one action
    return ProcessAction(verb, container=a.container is not None)
