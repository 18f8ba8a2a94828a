"""Enough paced users that a class keeps its rate even when every request hits its timeout."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.load.rates import MAX_USERS_PER_GROUP, Pacer, period, users_for

rates = st.floats(min_value=0.01, max_value=10_000, allow_nan=False)
worsts = st.floats(min_value=0.01, max_value=30, allow_nan=False)


def test_the_documented_example_holds() -> None:
    assert users_for(20, worst=4.0) == 80
    assert period(20, 80) == 4.0


@given(rates, worsts)
def test_each_user_has_time_for_a_worst_case_request_before_its_next_one(
    rate: float, worst: float
) -> None:
    users = users_for(rate, worst)
    if users < MAX_USERS_PER_GROUP:
        assert period(rate, users) >= worst * (1 - 1e-9)


@given(rates, worsts)
def test_no_more_users_than_needed(rate: float, worst: float) -> None:
    users = users_for(rate, worst)
    assert users >= 1
    if 1 < users < MAX_USERS_PER_GROUP:
        assert period(rate, users - 1) < worst


@given(rates, worsts)
def test_the_users_together_keep_the_rate(rate: float, worst: float) -> None:
    users = users_for(rate, worst)
    assert math.isclose(users / period(rate, users), rate)


@pytest.mark.parametrize(("rate", "worst"), [(0, 1.0), (-1, 1.0), (1.0, 0)])
def test_rates_and_durations_must_be_positive(rate: float, worst: float) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        users_for(rate, worst)


def test_a_paced_user_starts_requests_on_a_fixed_schedule() -> None:
    pacer = Pacer(first=100.0, period=4.0)
    assert pacer.wait(now=100.3) == pytest.approx(3.7)  # the first request took 0.3 s
    assert pacer.wait(now=105.9) == pytest.approx(2.1)  # due at 108: no drift from run time


def test_an_overrun_shifts_the_schedule_instead_of_bursting() -> None:
    pacer = Pacer(first=100.0, period=1.0)
    assert pacer.wait(now=103.5) == 0.0  # three periods late: go now ...
    assert pacer.wait(now=103.6) == pytest.approx(0.9)  # ... then one period after that


@given(st.floats(0.01, 100), st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_requests_that_fit_their_period_arrive_exactly_once_per_period(
    every: float, durations: list[float]
) -> None:
    pacer = Pacer(first=0.0, period=every)
    start = 0.0
    for fraction in durations:
        start += fraction * every + pacer.wait(now=start + fraction * every)
    assert start == pytest.approx(len(durations) * every)
