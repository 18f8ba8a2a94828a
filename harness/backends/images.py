"""The project's Docker images, built offline when no registry answers (`make images`).

- base: `python:3.11-slim` when it can be pulled; otherwise Debian bookworm with python3, made
  by debootstrap from the Debian mirror and `docker import`ed as dispatch-chaos/base:bookworm.
- dispatch-chaos/mock:<version>: mock_services/ plus the pure-Python packages the mocks import,
  copied from the harness's own environment (no pip, no registry). One image for every service;
  the command picks the module.
- dispatch-chaos/toxiproxy:2.12.0: the official image when it can be pulled, else the locally
  built static toxiproxy-server FROM scratch.
(dispatch-chaos/load-worker, the mock image plus the harness, is worker_image.py's; all four
are built in order by build_images.py.)

Every image carries io.dispatch-chaos.project=dispatch-chaos and the hash of its inputs, so a
step whose inputs did not change is skipped: a second run takes seconds.

    python -m harness.backends.build_images [--force]
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib.metadata
import io
import tarfile
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import requests
from docker.errors import APIError, DockerException, ImageNotFound
from docker.models.images import Image
from rich.console import Console
from rich.status import Status

from harness.backends import debootstrap
from harness.backends.debootstrap import DebianRecipe
from harness.errors import InfrastructureError, StackError
from harness.paths import project_root
from harness.toxiproxy import VERSION as TOXIPROXY_VERSION
from harness.toxiproxy.binary import ensure as ensure_toxiproxy_binary

PROJECT_LABEL = "io.dispatch-chaos.project"
PROJECT = "dispatch-chaos"
INPUTS_LABEL = "io.dispatch-chaos.inputs"  # hash of everything the image was built from
BASE_LABEL = "io.dispatch-chaos.base"  # the base image id the mock image was built on


def _version() -> str:
    try:
        return importlib.metadata.version("dispatch-chaos")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


# The offline base: Debian bookworm, smallest variant, plus python3 (docs and apt caches cut).
BASE_RECIPE = DebianRecipe(
    tag="dispatch-chaos/base:bookworm", packages=("python3",), command=("python3",)
)
BASE_IMAGE = BASE_RECIPE.tag
MOCK_IMAGE = f"dispatch-chaos/mock:{_version()}"
TOXIPROXY_IMAGE = f"dispatch-chaos/toxiproxy:{TOXIPROXY_VERSION}"
UPSTREAM_PYTHON = "python:3.11-slim"
UPSTREAM_TOXIPROXY = f"ghcr.io/shopify/toxiproxy:{TOXIPROXY_VERSION}"

VENDORED = ("h11", "aiosipua")  # distributions the mocks import beyond the stdlib
PULL_TIMEOUT = 15  # seconds without a byte from the registry before we give up on it


@dataclass(frozen=True)
class Outcome:
    image: str
    built: bool  # False: an image with the same inputs already existed


class Progress:
    """One line per step; on a terminal a spinner shows what the step is doing right now."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._status: Status | None = None

    @contextlib.contextmanager
    def step(self, title: str) -> Iterator[Progress]:
        started = time.monotonic()
        self.console.print(f"[bold]==>[/] {title}")
        with self.console.status(title) as status:
            self._status = status
            try:
                yield self
            finally:
                self._status = None
        self.console.print(f"    done in {time.monotonic() - started:.1f}s")

    def detail(self, line: str) -> None:
        line = line.strip()
        if line and self._status is not None:
            self._status.update(line[:100])

    def note(self, text: str) -> None:
        self.console.print(f"    {text}")


def docker_client(timeout: float = 60.0) -> docker.DockerClient:
    """A client for the local engine; InfrastructureError (exit 3) when none answers."""
    reason = None
    with warnings.catch_warnings():
        # docker-py leaves the socket of a failed connect open; finalise it here, quietly,
        # instead of as a ResourceWarning at some later garbage collection.
        warnings.simplefilter("ignore", ResourceWarning)
        probe = docker.from_env(version="1.24", timeout=5)  # fixed version: no I/O yet
        try:
            probe.ping()
        except (DockerException, requests.RequestException) as exc:
            reason = type(exc).__name__
        finally:
            probe.close()
        if reason is not None:
            gc.collect()
    if reason is not None:
        raise InfrastructureError(f"no Docker engine answers ({reason}): start dockerd")
    return docker.from_env(timeout=int(timeout))


# --- build contexts and their hashes -------------------------------------------------------


def _tree(root: Path, prefix: str) -> dict[str, bytes]:
    """The files under root (no caches), keyed by their path in the build context."""
    files: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return files


def _vendored(distribution: str) -> dict[str, bytes]:
    """An installed distribution's files (code and metadata, no caches), from its RECORD."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise InfrastructureError(
            f"{distribution} is not installed in the harness environment"
        ) from None
    files: dict[str, bytes] = {}
    for entry in dist.files or []:
        path = Path(str(dist.locate_file(entry)))
        if entry.suffix in (".so", ".pyd"):
            raise InfrastructureError(f"{distribution} is not pure Python: it cannot be copied")
        if "__pycache__" in entry.parts or entry.parts[0].startswith("..") or not path.is_file():
            continue  # caches, and scripts installed outside site-packages
        files[f"vendor/{entry.as_posix()}"] = path.read_bytes()
    if not files:
        raise InfrastructureError(f"{distribution} lists no files (no RECORD?)")
    return files


def mock_context() -> dict[str, bytes]:
    files = {"Dockerfile": (project_root() / "docker" / "mock.Dockerfile").read_bytes()}
    files.update(_tree(project_root() / "mock_services", "mock_services"))
    for name in VENDORED:
        files.update(_vendored(name))
    return files


def _toxiproxy_context(upstream: bool) -> dict[str, bytes]:
    docker_dir = project_root() / "docker"
    if upstream:
        return {"Dockerfile": (docker_dir / "toxiproxy-upstream.Dockerfile").read_bytes()}
    return {
        "Dockerfile": (docker_dir / "toxiproxy.Dockerfile").read_bytes(),
        "toxiproxy-server": ensure_toxiproxy_binary().read_bytes(),
    }


def inputs_hash(files: dict[str, bytes], *extra: str) -> str:
    digest = hashlib.sha256()
    for arcname in sorted(files):
        digest.update(arcname.encode() + b"\0" + hashlib.sha256(files[arcname]).digest())
    for item in extra:
        digest.update(b"\0" + item.encode())
    return digest.hexdigest()[:32]


def _tar(files: dict[str, bytes]) -> bytes:
    """A build context; fixed mtimes and owners so the same files give the same bytes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for arcname in sorted(files):
            info = tarfile.TarInfo(arcname)
            info.size = len(files[arcname])
            info.mode = 0o755 if arcname == "toxiproxy-server" else 0o644
            info.mtime = 1
            tar.addfile(info, io.BytesIO(files[arcname]))
    return buffer.getvalue()


# --- talking to the engine -------------------------------------------------------------------


def _image(client: docker.DockerClient, ref: str) -> Image | None:
    try:
        return client.images.get(ref)
    except ImageNotFound:
        return None


def _current(client: docker.DockerClient, ref: str, inputs: str) -> bool:
    image = _image(client, ref)
    return image is not None and image.labels.get(INPUTS_LABEL) == inputs


def _pull(ref: str, progress: Progress) -> bool:
    """Try the registry once; False (and why) when it cannot be reached, as in a lab."""
    repository, _, tag = ref.rpartition(":")
    try:
        # Its own client: the timeout is per read, so a slow but moving pull still succeeds.
        with contextlib.closing(docker.from_env(timeout=PULL_TIMEOUT)) as puller:
            for event in puller.api.pull(repository, tag=tag, stream=True, decode=True):
                if "error" in event:
                    raise APIError(str(event["error"]))
                progress.detail(f"{event.get('status', '')} {event.get('progress', '')}")
    except (DockerException, requests.RequestException) as exc:
        reason = str(getattr(exc, "explanation", None) or exc).splitlines()[0][:160]
        progress.note(f"cannot pull {ref} ({reason}); building it offline")
        return False
    progress.note(f"pulled {ref}")
    return True


def _build(
    client: docker.DockerClient,
    tag: str,
    files: dict[str, bytes],
    labels: dict[str, str],
    buildargs: dict[str, str],
    progress: Progress,
) -> None:
    previous = _image(client, tag)
    try:
        for chunk in client.api.build(
            fileobj=io.BytesIO(_tar(files)),
            custom_context=True,
            tag=tag,
            labels={PROJECT_LABEL: PROJECT, **labels},
            buildargs=buildargs,
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
        ):
            if "error" in chunk:
                raise InfrastructureError(f"building {tag}: {str(chunk['error']).strip()}")
            progress.detail(str(chunk.get("stream", "")))
    except (DockerException, requests.RequestException) as exc:
        raise InfrastructureError(f"building {tag}: {exc}") from None
    _drop_replaced(client, tag, previous)


def _drop_replaced(client: docker.DockerClient, tag: str, previous: Image | None) -> None:
    """Remove the image a rebuild replaced, so repeated builds do not fill the disk."""
    current = _image(client, tag)
    if previous is not None and current is not None and previous.id != current.id:
        with contextlib.suppress(APIError):  # still used by a container: leave it
            client.images.remove(previous.id)


# --- the three images ------------------------------------------------------------------------


def ensure_base(
    client: docker.DockerClient, progress: Progress, force: bool = False
) -> tuple[str, bool]:
    """The image the mock image is built FROM, and whether it was made now: python:3.11-slim
    if present or pullable, else Debian from debootstrap."""
    if _image(client, UPSTREAM_PYTHON) is not None:
        progress.note(f"using {UPSTREAM_PYTHON}")
        return UPSTREAM_PYTHON, False
    if not force and _current(client, BASE_IMAGE, BASE_RECIPE.digest()):
        progress.note(f"{BASE_IMAGE} is current")
        return BASE_IMAGE, False
    if _pull(UPSTREAM_PYTHON, progress):
        return UPSTREAM_PYTHON, True
    build_base(client, BASE_RECIPE, progress)
    return BASE_IMAGE, True


def build_base(
    client: docker.DockerClient, recipe: DebianRecipe, progress: debootstrap.Progress
) -> None:
    """Debootstrap the recipe and import it labelled as ours with its digest; the image it
    replaces under the same tag is removed."""
    previous = _image(client, recipe.tag)
    labels = {PROJECT_LABEL: PROJECT, INPUTS_LABEL: recipe.digest()}
    debootstrap.build(client, recipe, labels, progress)
    _drop_replaced(client, recipe.tag, previous)


def ensure_mock(
    client: docker.DockerClient, base: str, progress: Progress, force: bool = False
) -> bool:
    base_image = _image(client, base)
    assert base_image is not None  # ensure_base made or found it
    base_id = str(base_image.id)
    files = mock_context()
    inputs = inputs_hash(files, base_id)
    if not force and _current(client, MOCK_IMAGE, inputs):
        progress.note(f"{MOCK_IMAGE} is current")
        return False
    labels = {INPUTS_LABEL: inputs, BASE_LABEL: base_id}
    _build(client, MOCK_IMAGE, files, labels, {"BASE": base}, progress)
    return True


def ensure_toxiproxy(client: docker.DockerClient, progress: Progress, force: bool = False) -> bool:
    upstream = _image(client, UPSTREAM_TOXIPROXY)
    files = _toxiproxy_context(upstream is not None)
    inputs = inputs_hash(files, str(upstream.id) if upstream is not None else "")
    if not force and _current(client, TOXIPROXY_IMAGE, inputs):
        progress.note(f"{TOXIPROXY_IMAGE} is current")
        return False
    if upstream is None and _pull(UPSTREAM_TOXIPROXY, progress):
        upstream = _image(client, UPSTREAM_TOXIPROXY)
        assert upstream is not None
        files = _toxiproxy_context(True)
        inputs = inputs_hash(files, str(upstream.id))
    buildargs = {"UPSTREAM": UPSTREAM_TOXIPROXY} if upstream is not None else {}
    _build(client, TOXIPROXY_IMAGE, files, {INPUTS_LABEL: inputs}, buildargs, progress)
    return True


def check_images(client: docker.DockerClient) -> None:
    """StackError naming what to do when an image is missing or older than mock_services/."""
    for ref in (MOCK_IMAGE, TOXIPROXY_IMAGE):
        if _image(client, ref) is None:
            raise StackError(f"image {ref} does not exist: run `make images`")
    mock = _image(client, MOCK_IMAGE)
    assert mock is not None
    if mock.labels.get(INPUTS_LABEL) != inputs_hash(
        mock_context(), mock.labels.get(BASE_LABEL, "")
    ):
        raise StackError(f"image {MOCK_IMAGE} is older than mock_services/: run `make images`")
