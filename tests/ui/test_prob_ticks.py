"""The probability axis of the next-word bars: round ticks, never more labels than fit, and a
number inside the axis (pyqtgraph hides the labels at its two ends)."""

from __future__ import annotations

import itertools
import math

import pytest

from rnnviz.ui.softmax import TICK_PX, prob_ticks


@pytest.mark.parametrize("x_max", [0.0002, 0.004, 0.03, 0.1, 0.2, 0.5, 0.75, 1.0, 1.15])
@pytest.mark.parametrize("width", [60.0, 100.0, 150.0, 300.0, 900.0])
def test_ticks_fit_and_one_is_inside(x_max: float, width: float) -> None:
    ticks = prob_ticks(x_max, width)
    assert ticks[0] == 0.0 and all(b > a for a, b in itertools.pairwise(ticks))
    assert ticks[-1] <= min(x_max, 1.0) * (1 + 1e-9)  # no tick past 1
    assert len(ticks) - 1 <= max(2, int(width // TICK_PX))  # one interval per TICK_PX at most
    assert any(0 < t < x_max for t in ticks)  # a label the axis does not hide
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5))
