"""Where a call goes: pure, from the config, the dialled number and the caller's region."""

from __future__ import annotations

from dataclasses import dataclass

from mock_services.core.config import Dependency, ServiceConfig
from mock_services.core.numbers import alternate_region, number_class

BACKUP_REGION = "backup-region"


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
