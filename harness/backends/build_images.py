"""`make images`: every image of the project, each built only when its inputs changed - the
base, the mocks, Toxiproxy (images.py) and the Locust worker that builds on the mock image
(worker_image.py).

    python -m harness.backends.build_images [--force]
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from harness.backends.images import (
    MOCK_IMAGE,
    TOXIPROXY_IMAGE,
    Outcome,
    Progress,
    docker_client,
    ensure_base,
    ensure_mock,
    ensure_toxiproxy,
)
from harness.backends.worker_image import WORKER_IMAGE, ensure_worker
from harness.errors import InfrastructureError


def build_images(force: bool = False, console: Console | None = None) -> list[Outcome]:
    """Make sure every image exists and is current; build only what changed."""
    progress = Progress(console or Console(stderr=True))
    client = docker_client()
    try:
        with progress.step("base image (Python)"):
            base, base_built = ensure_base(client, progress, force)
        with progress.step(f"mock services image {MOCK_IMAGE}"):
            mock_built = ensure_mock(client, base, progress, force)
        with progress.step(f"Toxiproxy image {TOXIPROXY_IMAGE}"):
            toxiproxy_built = ensure_toxiproxy(client, progress, force)
        with progress.step(f"Locust worker image {WORKER_IMAGE}"):
            worker_built = ensure_worker(client, progress, force)
    finally:
        client.close()
    return [
        Outcome(base, base_built),
        Outcome(MOCK_IMAGE, mock_built),
        Outcome(TOXIPROXY_IMAGE, toxiproxy_built),
        Outcome(WORKER_IMAGE, worker_built),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harness.backends.build_images",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when inputs match")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    try:
        outcomes = build_images(force=args.force, console=console)
    except InfrastructureError as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    for outcome in outcomes:
        console.print(f"{outcome.image}: {'built' if outcome.built else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
