"""A Debian image made offline: debootstrap a root file system from the mirror, pack it, and
`docker import` it. The recipe names everything that goes in, so a test can build a tiny one
under a throw-away tag along exactly the path a fresh machine's base image takes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import docker
import requests
from docker.errors import DockerException

from harness import procs
from harness.errors import InfrastructureError

# Docs and apt caches: not needed to run anything, a third of a minimal root file system.
TRIM = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "var/cache/apt/archives",
    "var/lib/apt/lists",
)


@dataclass(frozen=True)
class DebianRecipe:
    """What goes into the image; `tag` is only where it goes."""

    tag: str
    suite: str = "bookworm"
    mirror: str = "http://deb.debian.org/debian"
    packages: tuple[str, ...] = ()  # beyond the minbase variant
    command: tuple[str, ...] = ("/bin/sh",)  # the image's CMD
    trim: tuple[str, ...] = TRIM
    revision: str = "1"  # bump when the build changes in a way the fields do not show

    def digest(self) -> str:
        """Same for two recipes that make the same image, whatever their tags."""
        fields = (
            self.suite,
            self.mirror,
            ",".join(self.packages),
            ",".join(self.trim),
            json.dumps(list(self.command)),
            self.revision,
        )
        return hashlib.sha256("|".join(fields).encode()).hexdigest()[:32]


class Progress(Protocol):
    def detail(self, line: str) -> None: ...

    def note(self, text: str) -> None: ...


def debootstrap_argv(recipe: DebianRecipe, root: Path) -> list[str]:
    include = [f"--include={','.join(recipe.packages)}"] if recipe.packages else []
    return [
        "debootstrap",
        "--variant=minbase",
        *include,
        recipe.suite,
        str(root),
        recipe.mirror,
    ]


def import_changes(recipe: DebianRecipe, labels: Mapping[str, str]) -> list[str]:
    """The Dockerfile instructions `docker import` applies on top of the root file system."""
    return [
        "LABEL " + " ".join(f"{key}={value}" for key, value in labels.items()),
        "ENV LANG=C.UTF-8",
        f"CMD {json.dumps(list(recipe.command))}",
    ]


def build(
    client: docker.DockerClient,
    recipe: DebianRecipe,
    labels: Mapping[str, str],
    progress: Progress,
) -> None:
    """Debootstrap the recipe in a temporary directory and import it as recipe.tag."""
    with tempfile.TemporaryDirectory(prefix="dc-base-") as work:
        root = Path(work) / "rootfs"
        try:
            _debootstrap(recipe, root, progress)
            for part in recipe.trim:
                shutil.rmtree(root / part, ignore_errors=True)
                (root / part).mkdir(parents=True)
            tarball = Path(work) / "rootfs.tar"
            progress.detail("packing the root file system")
            subprocess.run(_tar_argv(root, tarball), check=True)
            progress.detail(f"docker import as {recipe.tag}")
            repository, _, tag = recipe.tag.rpartition(":")
            # docker-py opens the tarball in a `with` and sends it without a read timeout.
            client.api.import_image_from_file(
                str(tarball),
                repository=repository,
                tag=tag,
                changes=import_changes(recipe, labels),
            )
        except (DockerException, requests.RequestException) as exc:
            raise InfrastructureError(f"importing {recipe.tag}: {exc}") from None
        except subprocess.CalledProcessError as exc:
            raise InfrastructureError(f"preparing {recipe.tag}: {exc}") from None
        finally:
            _unmount_under(root)  # an interrupted debootstrap leaves proc/sys mounted inside


def _tar_argv(root: Path, tarball: Path) -> list[str]:
    return [
        "tar",
        "--numeric-owner",
        "--exclude=./dev/*",
        "--exclude=./proc/*",
        "--exclude=./sys/*",
        "-C",
        str(root),
        "-cf",
        str(tarball),
        ".",
    ]


def _debootstrap(recipe: DebianRecipe, root: Path, progress: Progress) -> None:
    if shutil.which("debootstrap") is None:
        raise InfrastructureError(
            "cannot pull a Python base image and debootstrap is missing: "
            "apt-get install debootstrap (.ci/run does this)"
        )
    if os.geteuid() != 0:
        raise InfrastructureError("debootstrap needs root: run `make images` as root")
    progress.note(f"debootstrap {recipe.suite} from {recipe.mirror} (about a minute)")
    proc = procs.spawn(
        debootstrap_argv(recipe, root), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    tail: list[str] = []
    assert proc.stdout is not None
    try:
        with proc.stdout:  # the pipe is ours to close, also when the reader is interrupted
            for raw in proc.stdout:
                line = raw.decode(errors="replace").rstrip()
                tail = [*tail[-9:], line]
                progress.detail(line)
        proc.wait()
    finally:
        procs.stop(proc)
    if proc.returncode != 0:
        raise InfrastructureError(
            f"debootstrap failed (exit {proc.returncode}):\n" + "\n".join(tail)
        )


def _unmount_under(root: Path) -> None:
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1] for line in mounts]
    for point in sorted((p for p in points if p.startswith(f"{root}/")), reverse=True):
        subprocess.run(["umount", "-l", point], check=False)
