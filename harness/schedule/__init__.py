"""The pure schedule: a scenario and its seed give the fault effects wanted at scenario time t."""

from harness.schedule.schedule import Schedule, Transition

__all__ = ["Schedule", "Transition"]
