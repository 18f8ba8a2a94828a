"""scenarios/kamailio/112-router.cfg: Debian's Kamailio routes calls as the mock telephony does.

Real Kamailio, real mock callees, one real Toxiproxy proxy per link (sip-router-><callee>).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.load.sip import SipCaller
from harness.load.transport import tcp_connector
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.kamailio.router import (
    BACKUP,
    REGIONS,
    Callees,
    Router,
    assert_group_gone,
    control,
    counter,
    link,
    options,
    router,
)

pytestmark = [pytest.mark.integration]

CLOSE_SEEN = 0.3  # s for Kamailio to read the close of its open connection (an assumption)


def meldkamer(region: str) -> str:
    return f"meldkamer-{region}"


def test_the_router_answers_the_health_check_options_with_200(sip_router: Router) -> None:
    assert options(sip_router.entry) == 200


def test_a_112_call_is_answered_by_the_meldkamer_of_the_callers_region(
    sip_router: Router,
) -> None:
    caller = sip_router.caller()
    answered = {region: caller.call("112", region).answered_by for region in REGIONS}
    assert answered == {region: meldkamer(region) for region in REGIONS}


def test_a_112_call_without_a_known_region_goes_to_the_first_region(sip_router: Router) -> None:
    caller = sip_router.caller()
    for region in (None, "atlantis"):
        result = caller.call("112", region)
        assert (result.status, result.answered_by) == (200, "meldkamer-oost-brabant")


def test_a_112_call_goes_to_the_backup_when_the_primary_link_refuses(
    sip_router: Router, module_toxiproxy: ToxiproxyClient
) -> None:
    caller = sip_router.caller()
    for region in REGIONS:
        module_toxiproxy.set_enabled(link(meldkamer(region)), False)
        # Disabling closes Kamailio's open connection to the link; an INVITE written before
        # Kamailio reads that close waits for the link timer (1 s), as a real call would.
        time.sleep(CLOSE_SEEN)
        result = caller.call("112", region)
        module_toxiproxy.set_enabled(link(meldkamer(region)), True)
        assert (region, result.status, result.answered_by) == (
            region,
            200,
            meldkamer(BACKUP[region]),
        )
        assert result.latency < 0.5  # a refusal is re-routed at once, not after the timeout


def test_a_112_call_goes_to_the_backup_within_1_5_s_when_the_primary_is_silent(
    sip_router: Router, module_toxiproxy: ToxiproxyClient
) -> None:
    module_toxiproxy.add_toxic(
        link("meldkamer-rotterdam"), "silent", "timeout", "upstream", attributes={"timeout": 0}
    )
    result = sip_router.caller().call("112", "rotterdam", timeout=3.0)
    assert (result.status, result.answered_by) == (200, "meldkamer-zeeland-west-brabant")
    assert 0.9 <= result.latency <= 1.5  # the link's 1 s, then the backup


def test_a_112_call_refused_with_503_by_its_meldkamer_goes_to_the_backup(
    sip_router: Router, mocks: Callees
) -> None:
    fault = {"mode": "sip", "status": 503}
    control(mocks, "meldkamer-noord-holland", "PUT", "/_control/faults/busy", fault)
    result = sip_router.caller().call("112", "noord-holland")
    assert (result.status, result.answered_by) == (200, "meldkamer-midden-nederland")


def test_a_112_call_fails_over_once_and_then_gets_503(
    sip_router: Router, module_toxiproxy: ToxiproxyClient
) -> None:
    for target in ("meldkamer-rotterdam", "meldkamer-zeeland-west-brabant"):
        module_toxiproxy.set_enabled(link(target), False)
    result = sip_router.caller().call("112", "rotterdam")
    assert (result.status, result.error) == (503, "503 Service Unavailable")


def test_0900_and_088_calls_reach_the_police_contact_centre(sip_router: Router) -> None:
    caller = sip_router.caller()
    for number in ("09008844", "0900-8844", "088"):
        result = caller.call(number, "rotterdam")
        assert (number, result.status, result.answered_by) == (
            number,
            200,
            "police-contact-centre",
        )


def test_a_police_contact_centre_call_has_no_failover(
    sip_router: Router, module_toxiproxy: ToxiproxyClient
) -> None:
    module_toxiproxy.set_enabled(link("police-contact-centre"), False)
    result = sip_router.caller().call("088", "rotterdam")
    assert (result.status, result.answered_by) == (503, None)


def test_a_meldkamers_own_number_reaches_it_and_only_it(
    sip_router: Router, module_toxiproxy: ToxiproxyClient
) -> None:
    caller = sip_router.caller()
    assert caller.call("meldkamer-rotterdam", None).answered_by == "meldkamer-rotterdam"
    module_toxiproxy.set_enabled(link("meldkamer-rotterdam"), False)
    assert caller.call("meldkamer-rotterdam", "rotterdam").status == 503


def test_an_unknown_number_gets_404(sip_router: Router) -> None:
    caller = sip_router.caller()
    for number in ("999", "meldkamer-atlantis"):
        assert caller.call(number, "rotterdam").error == "404 Not Found"


def test_the_bye_of_a_call_goes_through_the_link_its_invite_took(
    sip_router: Router, mocks: Callees, module_toxiproxy: ToxiproxyClient
) -> None:
    """The caller sends its BYE to the meldkamer's own Contact; the router must still send it
    through the link's proxy: with that proxy disabled while the call is held, the BYE fails
    and the meldkamer never sees it."""
    before = counter(mocks, "meldkamer-rotterdam", "calls.ended")

    def link_down_during_hold(_: float) -> None:
        module_toxiproxy.set_enabled(link("meldkamer-rotterdam"), False)

    entry = sip_router.entry
    connect = tcp_connector(entry.host, entry.port)
    caller = SipCaller(connect, entry.host, entry.port, sleep=link_down_during_hold)
    cut = caller.call("112", "rotterdam", hold=0.1)
    caller.close()
    assert cut.ok and cut.answered_by == "meldkamer-rotterdam"
    assert cut.error is not None and cut.error.startswith("answered, then BYE failed")
    assert counter(mocks, "meldkamer-rotterdam", "calls.ended") == before

    module_toxiproxy.set_enabled(link("meldkamer-rotterdam"), True)
    whole = sip_router.caller().call("112", "rotterdam", hold=0.1)
    assert (whole.answered_by, whole.error) == ("meldkamer-rotterdam", None)
    assert counter(mocks, "meldkamer-rotterdam", "calls.ended") == before + 1


def test_coupled_a_112_call_needs_police_ict_and_gets_503_without_it(
    kamailio: str, mocks: Callees, module_toxiproxy: ToxiproxyClient, tmp_path: Path
) -> None:
    with router(kamailio, mocks, tmp_path / "coupled", coupled=True) as coupled:
        caller = coupled.caller()
        lookups = counter(mocks, "police-ict", "api.lookups")
        answered = caller.call("112", "rotterdam")
        assert counter(mocks, "police-ict", "api.lookups") == lookups + 1
        module_toxiproxy.set_enabled(link("police-ict"), False)
        refused = caller.call("112", "rotterdam")
        contact_centre = caller.call("088", "rotterdam")  # only 112 is coupled
        module_toxiproxy.set_enabled(link("police-ict"), True)
        again = caller.call("112", "rotterdam")
        pgid = coupled.proc.pid
    assert_group_gone(pgid, timeout=0.0)
    assert (answered.status, answered.answered_by) == (200, "meldkamer-rotterdam")
    assert (refused.status, refused.answered_by) == (503, None)
    assert contact_centre.answered_by == "police-contact-centre"
    assert again.answered_by == "meldkamer-rotterdam"


def test_the_router_leaves_no_process_behind_when_stopped(
    kamailio: str, mocks: Callees, tmp_path: Path
) -> None:
    with router(kamailio, mocks, tmp_path / "short-lived") as started:
        pgid = started.proc.pid
        assert options(started.entry) == 200
    assert started.proc.returncode is not None
    assert_group_gone(pgid, timeout=0.0)
    with pytest.raises(ConnectionRefusedError):
        options(started.entry, timeout=0.5)
