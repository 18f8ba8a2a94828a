"""Prerequisites of tests: missing ones skip on a developer machine and fail under CI=true."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest

KAMAILIO_HTTP_CLIENT = "/usr/lib/x86_64-linux-gnu/kamailio/modules/http_client.so"


def on_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(what: str, how: str) -> NoReturn:
    message = f"prerequisite missing: {what} ({how})"
    if on_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def need_program(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(name, f"apt-get install {package}; .ci/run does this")
    return path


def need_kamailio() -> str:
    """Debian's Kamailio with the http_client module (kamailio-utils-modules)."""
    path = need_program("kamailio", "kamailio kamailio-utils-modules")
    if not os.path.exists(KAMAILIO_HTTP_CLIENT):
        missing(KAMAILIO_HTTP_CLIENT, "apt-get install kamailio-utils-modules")
    return path


def need_docker() -> None:
    need_program("docker", "docker.io")
    import docker

    client = None
    try:
        client = docker.from_env(timeout=5)
        client.ping()
    except Exception as exc:  # any failure means: no engine to talk to
        missing("a running Docker engine", f"start dockerd; .ci/run does this ({exc})")
    finally:
        if client is not None:
            client.close()
