"""The load-worker image: the mock image plus the harness and Locust, for Locust workers that
run in containers on a compose stack's network (harness/backends/compose_workers.py).

Locust, gevent and pyzmq are compiled: they are copied from the harness's own environment as
they are, which works because the image's Python is the same minor version on the same Debian
(python3 of bookworm or python:3.11-slim, both 3.11 with glibc). Built by `make images` with
the others; skipped when its inputs did not change.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import docker
from packaging.requirements import Requirement

from harness.backends import images
from harness.errors import InfrastructureError, StackError
from harness.paths import project_root

WORKER_IMAGE = f"dispatch-chaos/load-worker:{images._version()}"
# What a worker's Python imports beyond the stdlib: Locust (with its own requirements) and what
# harness.load imports (the model's pydantic and YAML, the SIP callers' aiosipua).
ROOTS = ("locust", "pydantic", "ruamel.yaml", "aiosipua")
PACKAGES = ("load", "model")  # of harness, beside its top-level modules (journal, clock, ...)


def closure(roots: tuple[str, ...] = ROOTS) -> list[str]:
    """The installed distributions the roots need, their requirements' too (markers applied)."""
    seen: dict[str, str] = {}
    todo = list(roots)
    while todo:
        try:
            dist = importlib.metadata.distribution(todo.pop())
        except importlib.metadata.PackageNotFoundError as exc:
            missing = f"{exc.name} is not installed in the harness environment"
            raise InfrastructureError(missing) from None
        name = dist.metadata["Name"]
        if name.lower() in seen:
            continue
        seen[name.lower()] = name
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return sorted(seen.values())


def _installed(distribution: str) -> dict[str, bytes]:
    """A distribution's files in site-packages, compiled ones included (no caches, no scripts)."""
    dist = importlib.metadata.distribution(distribution)
    files: dict[str, bytes] = {}
    for entry in dist.files or []:
        path = Path(str(dist.locate_file(entry)))
        if "__pycache__" in entry.parts or entry.parts[0].startswith("..") or not path.is_file():
            continue
        files[f"vendor/{entry.as_posix()}"] = path.read_bytes()
    return files


def worker_context() -> dict[str, bytes]:
    root = project_root()
    files = {"Dockerfile": (root / "docker" / "load-worker.Dockerfile").read_bytes()}
    for path in sorted((root / "harness").glob("*.py")):  # the package's top-level modules
        files[f"harness/{path.name}"] = path.read_bytes()
    for package in PACKAGES:
        files.update(images._tree(root / "harness" / package, f"harness/{package}"))
    for name in closure():
        files.update(_installed(name))
    return files


def _inputs(client: docker.DockerClient, files: dict[str, bytes]) -> str:
    mock = images._image(client, images.MOCK_IMAGE)
    if mock is None:
        raise StackError(f"image {images.MOCK_IMAGE} does not exist: run `make images`")
    return images.inputs_hash(files, str(mock.id))


def ensure_worker(client: docker.DockerClient, progress: images.Progress, force: bool) -> bool:
    """Build the worker image FROM the mock image when its inputs changed; True if built."""
    files = worker_context()
    inputs = _inputs(client, files)
    if not force and images._current(client, WORKER_IMAGE, inputs):
        progress.note(f"{WORKER_IMAGE} is current")
        return False
    labels = {images.INPUTS_LABEL: inputs}
    images._build(client, WORKER_IMAGE, files, labels, {"MOCK": images.MOCK_IMAGE}, progress)
    return True


def check_worker_image(client: docker.DockerClient) -> None:
    """StackError naming what to do when the image is missing or older than the harness."""
    image = images._image(client, WORKER_IMAGE)
    if image is None:
        raise StackError(f"image {WORKER_IMAGE} does not exist: run `make images`")
    if image.labels.get(images.INPUTS_LABEL) != _inputs(client, worker_context()):
        raise StackError(f"image {WORKER_IMAGE} is older than harness/: run `make images`")
