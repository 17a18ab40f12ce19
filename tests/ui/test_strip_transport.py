"""The token strip's saliency tint (follows K, own colour map, value in the tooltip) and the
transport buttons' enabled state."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import Session
from rnnviz.ui import colormaps as cm
from rnnviz.ui.token_strip import SALIENCY_DECADES, TokenStrip, saliency_weights, tooltip
from tests.ui.conftest import SENTENCE


@pytest.fixture
def session(demo_model: LoadedModel) -> Session:
    s = Session()
    s.set_model(demo_model)
    s.set_text(SENTENCE)
    return s


def test_transport_buttons_start_disabled_where_they_cannot_move(qtbot: Any,
                                                                session: Session) -> None:
    from rnnviz.ui.transport import Transport

    bare = Transport(Session())
    qtbot.addWidget(bare)
    assert not any(b.isEnabled() for b in (bare.first, bare.back, bare.play, bare.forward,
                                           bare.last))
    at_start = Transport(session)
    qtbot.addWidget(at_start)
    assert [b.isEnabled() for b in (at_start.first, at_start.back, at_start.play,
                                    at_start.forward, at_start.last)] == [False, False, True,
                                                                          True, True]


def test_saliency_tint_follows_a_change_of_k_without_a_step(qtbot: Any, session: Session
                                                            ) -> None:
    strip = TokenStrip(session)
    qtbot.addWidget(strip)
    session.set_cursor(9)
    session.set_saliency(True)
    exact = strip.chips.values
    assert exact is not None
    session.set_truncate(4)  # the cursor does not move
    values = strip.chips.values
    truncated = session.gradient_row(9, 4).inputs
    assert values is not None and np.array_equal(values, truncated, equal_nan=True)
    assert not np.array_equal(values, exact, equal_nan=True)
    cut = np.arange(len(values)) < 8  # steps before the block of K = 4 that holds t = 9
    assert np.isnan(strip.chips.weights[cut]).all()  # type: ignore[index]


def test_saliency_colours_tooltip_and_legend(qtbot: Any, session: Session) -> None:
    strip = TokenStrip(session)
    qtbot.addWidget(strip)
    session.set_cursor(6)
    session.set_saliency(True)
    row = session.gradient_row(6).inputs
    s = int(np.nanargmax(row[:6]))
    assert f"{row[s]:.3g}" in tooltip(s, session.trace.tokens[s], strip.chips.saliency_at(s))
    fills = {strip.chips._fill(t).name() for t in range(6)}
    assert cm.colour(cm.HIGHLIGHT).name() not in fills  # never the true-next-word orange
    assert len(fills) >= 3  # a colour map, not one saturated colour
    lo, hi = strip.legend.texts()
    assert float(hi) == pytest.approx(float(np.nanmax(row)), rel=0.06)
    assert float(lo) >= float(np.nanmax(row)) * 10 ** -SALIENCY_DECADES * 0.94


def test_saliency_weights_log_scale_clamped() -> None:
    w = saliency_weights(np.array([1e-9, 1e-4, 1e-2, 1.0, np.nan, 0.0]))
    expected = [0.0, 0.0, 0.5, 1.0]  # 4 decades below the largest: 1e-4 -> 0, 1e-2 -> 0.5
    assert np.allclose(w[:4], expected) and np.isnan(w[4:]).all()
