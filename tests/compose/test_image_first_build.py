"""The offline base image's first build, proven on every machine: a tiny Debian recipe takes
the whole path a fresh machine's base takes (debootstrap from the mirror, pack, docker import,
labels) under a throw-away tag. Warnings are errors (pyproject.toml), so a pipe or file the
build leaves open fails here even where the real images were built long ago.

About a minute: debootstrap's minbase variant downloads some 40 MB from the Debian mirror.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import docker
import pytest
from docker.errors import ImageNotFound, NotFound

from harness.backends.debootstrap import DebianRecipe
from harness.backends.images import BASE_RECIPE, INPUTS_LABEL, PROJECT, PROJECT_LABEL, build_base
from tests.prerequisites import missing, need_docker, need_program

pytestmark = [pytest.mark.docker, pytest.mark.slow]


class Lines:
    """Progress kept as lines (debootstrap's own tail is in the error when it fails)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def detail(self, line: str) -> None:
        self.lines.append(line)

    def note(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def client() -> Iterator[docker.DockerClient]:
    need_docker()
    need_program("debootstrap", "debootstrap")
    if os.geteuid() != 0:
        missing("root, for debootstrap", "run the tests as root; .ci/run does")
    client = docker.from_env(timeout=60)
    yield client
    client.close()


@pytest.fixture
def tiny(client: docker.DockerClient) -> Iterator[DebianRecipe]:
    """Minbase and nothing more, under a tag nobody else uses; removed again, also on failure."""
    recipe = DebianRecipe(
        tag=f"dispatch-chaos-test/base-{uuid.uuid4().hex[:12]}:test",
        suite=BASE_RECIPE.suite,
        mirror=BASE_RECIPE.mirror,
        command=("cat", "/etc/debian_version"),
    )
    yield recipe
    for container in client.containers.list(all=True, filters={"ancestor": recipe.tag}):
        container.remove(force=True)
    with contextlib.suppress(ImageNotFound):
        client.images.remove(recipe.tag, force=True)


def test_a_fresh_machine_builds_the_offline_base_and_a_container_runs_from_it(
    client: docker.DockerClient, tiny: DebianRecipe
) -> None:
    progress = Lines()
    build_base(client, tiny, progress)

    image = client.images.get(tiny.tag)
    assert image.labels[PROJECT_LABEL] == PROJECT
    assert image.labels[INPUTS_LABEL] == tiny.digest()
    assert image.attrs["Config"]["Cmd"] == list(tiny.command)
    assert "LANG=C.UTF-8" in image.attrs["Config"]["Env"]

    container = client.containers.create(tiny.tag)  # its own CMD: cat /etc/debian_version
    try:
        container.start()
        status = container.wait(timeout=60)
        output = container.logs().decode()
    finally:
        with contextlib.suppress(NotFound):
            container.remove(force=True)
    assert status["StatusCode"] == 0, output
    assert output.startswith("12."), output  # bookworm is Debian 12
