"""Where a call goes: pure, from the config, the dialled number and the caller's region.

A telephony service that depends on other telephony services is a carrier's entry in front
of a 112 platform built as redundant copies: a 112 call goes to the first copy and, while the
link's fallback is `next-copy`, on to the next when one fails (the copies route it on to the
meldkamers); the meldkamers' own numbers still go straight to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from mock_services.core.config import Dependency, ServiceConfig
from mock_services.core.numbers import alternate_region, number_class

BACKUP_REGION = "backup-region"
NEXT_COPY = "next-copy"


@dataclass(frozen=True)
class Route:
    number: str  # the number class: 112, 0900, 088
    region: str | None  # the region a 112 call belongs to
    targets: tuple[Dependency, ...]  # tried in order; empty: nobody can take the call


def default_region(config: ServiceConfig) -> str | None:
    """For a 112 call without a known region (no location): the configured default, else the
    first region. A 112 call is never refused for lacking a location."""
    chosen = config.settings.get("default_region")
    if isinstance(chosen, str) and chosen:
        return chosen
    regions = list(config.regions) or [d.region for d in config.by_kind("meldkamer") if d.region]
    return regions[0] if regions else None


def route(config: ServiceConfig, dialled: str, caller_region: str | None) -> Route | None:
    """The route for a call; None for a number nobody answers (404)."""
    number = number_class(dialled)
    if number is None:
        return None
    if number == "alternate":  # straight to that meldkamer: no 112 platform, no backup
        region = alternate_region(dialled)
        meldkamer = config.dependency("meldkamer", region)
        return Route(number, region, (meldkamer,)) if meldkamer is not None else None
    if number != "112":
        centre = config.dependency("police-contact-centre")
        return Route(number, None, (centre,) if centre is not None else ())
    copies = platform_copies(config)
    if copies:
        return Route(number, caller_region, copies)
    known = set(config.regions) | {d.region for d in config.by_kind("meldkamer") if d.region}
    region = caller_region if caller_region in known else default_region(config)
    if region is None:
        return Route(number, None, ())
    primary = config.dependency("meldkamer", region)
    backup_region = config.regions.get(region)
    backup = config.dependency("meldkamer", backup_region) if backup_region else None
    targets = [primary] if primary is not None else []
    may_reroute = primary is None or primary.fallback == BACKUP_REGION
    if backup is not None and backup != primary and may_reroute:
        targets.append(backup)
    return Route(number, region, tuple(targets))


def platform_copies(config: ServiceConfig) -> tuple[Dependency, ...]:
    """The 112 platform's copies a call may try, in the topology's order: the first, then each
    next one while the last one tried falls back to `next-copy`."""
    copies: list[Dependency] = []
    for copy in config.by_kind("telephony"):
        copies.append(copy)
        if copy.fallback != NEXT_COPY:
            break
    return tuple(copies)
