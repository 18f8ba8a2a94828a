"""Find the toxiproxy-server binary, or build it, or download it.

Order: $TOXIPROXY_SERVER, PATH, .tools/bin/, `go install` (static, renamed), the official
release (for users with internet; CI never needs it). Every candidate must report v2.12.0.

    python -m harness.toxiproxy.binary        # prints the path, installing when needed
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from harness.errors import InfrastructureError
from harness.toxiproxy import VERSION

MODULE = "github.com/Shopify/toxiproxy/v2"
NAME = "toxiproxy-server"
RELEASE_URL = (
    "https://github.com/Shopify/toxiproxy/releases/download/v{v}/toxiproxy-server-linux-{arch}"
)


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def tools_dir() -> Path:
    return Path(os.environ.get("DC_TOOLS_DIR", project_root() / ".tools")) / "bin"


def version_of(binary: Path) -> str | None:
    try:
        out = subprocess.run([str(binary), "-version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    words = (out.stdout + out.stderr).split()
    return words[-1].lstrip("v") if words else None


def _candidates() -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if env := os.environ.get("TOXIPROXY_SERVER"):
        found.append(("$TOXIPROXY_SERVER", Path(env)))
    if on_path := shutil.which(NAME):
        found.append(("PATH", Path(on_path)))
    found.append((".tools/bin", tools_dir() / NAME))
    return found


def locate() -> Path | None:
    """The first candidate that exists and is v2.12.0; None when there is none yet."""
    for origin, path in _candidates():
        if not path.is_file():
            if origin == "$TOXIPROXY_SERVER":
                raise InfrastructureError(f"$TOXIPROXY_SERVER={path} does not exist")
            continue
        version = version_of(path)
        if version == VERSION:
            return path
        if origin == "$TOXIPROXY_SERVER":
            raise InfrastructureError(
                f"$TOXIPROXY_SERVER={path} is version {version}, need {VERSION}"
            )
    return None


def build_with_go(dest: Path, log: bool = True) -> bool:
    """`go install` the server statically into dest's folder and rename it. False without Go."""
    go = shutil.which("go")
    if go is None:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as gobin:
        env = {**os.environ, "CGO_ENABLED": "0", "GOBIN": gobin, "GOFLAGS": "-buildvcs=false"}
        ldflags = f"-s -w -X {MODULE}.Version={VERSION}"
        cmd = [go, "install", "-ldflags", ldflags, f"{MODULE}/cmd/server@v{VERSION}"]
        if log:
            print(
                f"building Toxiproxy {VERSION} with Go (about a minute the first time)...",
                file=sys.stderr,
                flush=True,
            )
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            print(result.stderr[-2000:], file=sys.stderr)
            return False
        shutil.move(str(Path(gobin) / "server"), dest)
    dest.chmod(0o755)
    return True


def download(dest: Path) -> bool:
    """The official release binary; only for users with internet."""
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    url = RELEASE_URL.format(v=VERSION, arch=arch)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            data = response.read()
    except OSError:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    dest.chmod(0o755)
    return version_of(dest) == VERSION


def ensure() -> Path:
    """A usable toxiproxy-server, installing into .tools/bin/ when none is found."""
    if (found := locate()) is not None:
        return found
    dest = tools_dir() / NAME
    if build_with_go(dest) and version_of(dest) == VERSION:
        return dest
    if os.environ.get("CI", "").lower() != "true" and download(dest):
        return dest
    raise InfrastructureError(
        f"no toxiproxy-server {VERSION}: set $TOXIPROXY_SERVER, put it on PATH or in {dest.parent}, "
        "or install Go so it can be built"
    )


if __name__ == "__main__":
    try:
        print(ensure())
    except InfrastructureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
