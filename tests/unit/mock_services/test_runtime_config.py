"""Where a service's config comes from: --config FILE, $DC_SERVICE_CONFIG, or defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_services.core.config import Listen
from mock_services.core.runtime import ConfigError, load_config

CONFIG = {
    "name": "meldkamer-rotterdam",
    "kind": "meldkamer",
    "region": "rotterdam",
    "listen": {"sip": {"host": "127.0.0.1", "port": 5060, "fd": 7}},
    "dependencies": {
        "gms": {
            "service": "gms",
            "kind": "gms",
            "link": "meldkamer-rotterdam->gms",
            "host": "127.0.0.1",
            "port": 4000,
            "region": None,
            "timeout": 0.5,
            "retries": 1,
            "required": True,
            "fallback": "buffer",
        }
    },
    "regions": {"rotterdam": "zeeland-west-brabant"},
    "data_dir": None,
    "settings": {},
}


def test_without_a_config_a_service_listens_on_loopback_ephemeral_ports() -> None:
    config = load_config([], {}, "gms", ("http",))
    assert config.name == "gms" and config.dependencies == {}
    assert config.listen == {"http": Listen("127.0.0.1", 0, None)}


def test_a_config_file_is_read_and_missing_listeners_get_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CONFIG))
    config = load_config(["--config", str(path)], {}, "meldkamer", ("sip", "http"))
    assert config.listen["sip"] == Listen("127.0.0.1", 5060, 7)
    assert config.listen["http"] == Listen()
    gms = config.dependency("gms")
    assert gms is not None and gms.fallback == "buffer" and gms.retries == 1


def test_the_environment_carries_the_config_when_no_file_is_given() -> None:
    config = load_config([], {"DC_SERVICE_CONFIG": json.dumps(CONFIG)}, "meldkamer", ("sip",))
    assert config.region == "rotterdam"


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"kind": "meldkamer"}),
        json.dumps({**CONFIG, "kind": "gms"}),
        json.dumps({**CONFIG, "listen": {"sip": {"hots": 1}}}),
    ],
)
def test_a_bad_config_is_a_config_error_not_a_traceback(text: str) -> None:
    with pytest.raises(ConfigError):
        load_config([], {"DC_SERVICE_CONFIG": text}, "meldkamer", ("sip",))


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_config(["--config", str(tmp_path / "nope.json")], {}, "gms", ("http",))
