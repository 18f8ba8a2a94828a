"""The Debian recipe behind the offline base image: what debootstrap is asked for, what
`docker import` applies, and when a built image still counts as current."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness.backends.debootstrap import DebianRecipe, debootstrap_argv, import_changes
from harness.backends.images import BASE_IMAGE, BASE_RECIPE

ROOT = Path("/tmp/rootfs")


def test_the_real_base_is_bookworm_with_python3_under_its_fixed_tag() -> None:
    assert BASE_IMAGE == "dispatch-chaos/base:bookworm"
    assert BASE_RECIPE.tag == BASE_IMAGE
    assert debootstrap_argv(BASE_RECIPE, ROOT) == [
        "debootstrap",
        "--variant=minbase",
        "--include=python3",
        "bookworm",
        "/tmp/rootfs",
        "http://deb.debian.org/debian",
    ]
    assert 'CMD ["python3"]' in import_changes(BASE_RECIPE, {})


def test_a_recipe_without_packages_asks_debootstrap_for_minbase_alone() -> None:
    argv = debootstrap_argv(DebianRecipe(tag="t/base:x"), ROOT)
    assert argv[:2] == ["debootstrap", "--variant=minbase"]
    assert not any(arg.startswith("--include") for arg in argv)


def test_the_import_labels_the_image_and_sets_its_language_and_command() -> None:
    recipe = DebianRecipe(tag="t/base:x", command=("cat", "/etc/debian_version"))
    assert import_changes(recipe, {"a.b": "1", "c.d": "2"}) == [
        "LABEL a.b=1 c.d=2",
        "ENV LANG=C.UTF-8",
        'CMD ["cat", "/etc/debian_version"]',
    ]


def test_the_same_recipe_under_another_tag_has_the_same_digest() -> None:
    elsewhere = dataclasses.replace(BASE_RECIPE, tag="elsewhere/base:x")
    assert elsewhere.digest() == BASE_RECIPE.digest()


@pytest.mark.parametrize(
    "change",
    [
        {"suite": "trixie"},
        {"mirror": "http://mirror.example/debian"},
        {"packages": ("python3", "curl")},
        {"command": ("/bin/sh",)},
        {"trim": ("usr/share/doc",)},
        {"revision": "2"},
    ],
)
def test_any_change_to_what_goes_in_changes_the_digest_so_the_image_is_rebuilt(
    change: dict[str, object],
) -> None:
    assert dataclasses.replace(BASE_RECIPE, **change).digest() != BASE_RECIPE.digest()
