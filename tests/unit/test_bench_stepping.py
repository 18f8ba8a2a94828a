"""P5's stepping decision: which step holds, where the search stops (no sockets, no sipp)."""

from __future__ import annotations

from types import TracebackType

from bench.capacity import Capacity
from bench.cpu import Busy
from bench.stepping import describe, step_up, why_broken


def _step(rate: float, answered: float, failures: int = 0, p99: float | None = 0.02) -> Capacity:
    return Capacity("sipp", answered, round(rate * 5), failures, 0.005, p99, target_rate=rate)


class _NoCpu:
    def __enter__(self) -> _NoCpu:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def busiest(self, n: int = 4) -> list[Busy]:
        return [Busy(1, "telephony", 0.9)]

    def total(self) -> float:
        return 1.5

    def machine(self) -> float:
        return 1.9


def test_a_clean_fast_step_holds() -> None:
    assert why_broken(_step(1000, 995)) is None


def test_one_failed_call_breaks_a_step() -> None:
    assert why_broken(_step(1000, 995, failures=1)) == "1 of 5000 calls failed"


def test_a_slow_p99_breaks_a_step() -> None:
    assert why_broken(_step(1000, 995, p99=0.101)) == "set-up p99 101 ms > 100 ms"


def test_an_offer_sipp_could_not_make_breaks_a_step() -> None:
    assert why_broken(_step(1000, 850)) == "only 850 of 1000 calls/s placed"


def test_no_answer_at_all_breaks_a_step() -> None:
    assert why_broken(_step(1000, 0, p99=None)) == "no call answered"


def test_stepping_stops_at_the_first_broken_step_and_keeps_the_last_that_held() -> None:
    answers = {100.0: _step(100, 100), 200.0: _step(200, 199), 400.0: _step(400, 400, p99=0.3)}
    asked: list[float] = []

    def measure(rate: float) -> Capacity:
        asked.append(rate)
        return answers[rate]

    stepped = step_up(measure, (100.0, 200.0, 400.0, 800.0), sample=_NoCpu)  # type: ignore[arg-type]
    assert asked == [100.0, 200.0, 400.0]
    assert stepped.held is not None and stepped.held.capacity.target_rate == 200.0
    assert stepped.broke is not None and stepped.broke.capacity.target_rate == 400.0
    assert stepped.broke.busiest[0].name == "telephony" and stepped.broke.cpu_total == 1.5
    assert stepped.broke.machine == 1.9  # others' work shows: 0.4 cores were not ours
    assert "1.50 cores ours, 1.90 busy machine-wide" in describe(stepped.broke)


def test_nothing_held_when_the_first_step_breaks() -> None:
    stepped = step_up(lambda r: _step(r, r, failures=3), (100.0, 200.0), _NoCpu)  # type: ignore[arg-type]
    assert stepped.held is None and len(stepped.steps) == 1
