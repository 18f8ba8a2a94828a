"""The fault drivers every stack offers, whatever runs it: Toxiproxy for the links and the
mocks' control API for application faults. A backend adds its own for processes or containers."""

from __future__ import annotations

from harness.faults.app import AppDriver
from harness.faults.driver import Driver
from harness.faults.toxics import ToxiproxyDriver
from harness.model.stack import StackInfo


def link_and_app_drivers(stack: StackInfo) -> list[Driver]:
    return [ToxiproxyDriver.from_stack(stack), AppDriver.from_stack(stack)]
