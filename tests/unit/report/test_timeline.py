"""Timeline data: fault windows paired from transitions, load metrics binned over scenario time."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.assertions import metrics
from harness.report.timeline import FaultSpan, fault_spans, traffic_series
from tests.unit.assertions.journals import req, transition


class TestFaultSpans:
    def test_pair_on_and_off_per_target(self) -> None:
        spans = fault_spans(
            [
                transition(10, True, "a->b"),
                transition(15, True, "c->d"),
                transition(20, False, "a->b"),
                transition(30, False, "c->d"),
            ],
            end_t=100,
        )
        assert spans == [FaultSpan("a->b", "flap", 10, 20), FaultSpan("c->d", "flap", 15, 30)]

    def test_without_an_off_end_at_the_run_end(self) -> None:
        spans = fault_spans([transition(10, True), transition(20, False), transition(50, True)], 80)
        assert [(s.start, s.end, s.open_at_end) for s in spans] == [(10, 20, False), (50, 80, True)]

    def test_a_repeated_on_continues_the_window(self) -> None:
        spans = fault_spans([transition(10, True), transition(15, True), transition(20, False)], 80)
        assert [(s.start, s.end) for s in spans] == [(10, 20)]

    def test_faults_on_one_target_keep_their_own_windows(self) -> None:
        spans = fault_spans(
            [
                transition(10, True, fault="x"),
                transition(12, True, fault="y"),
                transition(20, False, fault="x"),
            ],
            end_t=30,
        )
        assert {(s.fault, s.start, s.end) for s in spans} == {("x", 10, 20), ("y", 12, 30)}

    def test_failed_transitions_change_nothing(self) -> None:
        from dataclasses import replace

        failed = replace(transition(10, True), ok=False, error="toxiproxy said no")
        assert fault_spans([failed], 80) == []


class TestTrafficSeries:
    def test_success_ratio_per_bin_and_nan_where_empty(self) -> None:
        (series,) = traffic_series([req(1), req(2, ok=False), req(25)], span=40, bins=4)
        assert list(series.requests) == [2, 0, 1, 0]
        assert series.success[0] == 0.5
        assert math.isnan(series.success[1])
        assert series.success[2] == 1.0

    def test_one_series_per_traffic_class(self) -> None:
        series = traffic_series([req(1), req(2, traffic="office-users")], span=10, bins=2)
        assert [s.traffic for s in series] == ["callers-112", "office-users"]

    def test_the_last_instant_falls_in_the_last_bin(self) -> None:
        (series,) = traffic_series([req(40)], span=40, bins=4)
        assert list(series.requests) == [0, 0, 0, 1]

    @settings(max_examples=60)
    @given(
        st.lists(
            st.tuples(st.floats(0, 99.9), st.booleans(), st.floats(0.001, 5)),
            min_size=1,
            max_size=60,
        )
    )
    def test_binned_percentiles_match_the_latency_metric(
        self, rows: list[tuple[float, bool, float]]
    ) -> None:
        requests = [req(t, ok=ok, latency=lat) for t, ok, lat in rows]
        (series,) = traffic_series(requests, span=100, bins=5)
        for b in range(5):
            inside = [r for r in requests if min(int(r.t / 20), 4) == b]
            for values, p in ((series.p50, 50), (series.p95, 95)):
                expected = metrics.latency(inside, p)
                if expected is None:
                    assert np.isnan(values[b])
                else:
                    assert values[b] == expected
