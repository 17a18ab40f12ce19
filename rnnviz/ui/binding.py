"""Session subscriptions that end with the widget (the session outlives windows in tests and
when a window is replaced): a slot of a deleted widget must never be called."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psygnal import SignalInstance
from PySide6.QtWidgets import QWidget

Pairs = Sequence[tuple[SignalInstance, Callable[..., Any]]]


def link_session(widget: QWidget, pairs: Pairs) -> None:
    """Connect session signals to slots and disconnect them when the widget is destroyed."""
    for signal, slot in pairs:
        signal.connect(slot)

    def unlink() -> None:
        for signal, slot in pairs:
            signal.disconnect(slot, missing_ok=True)

    widget.destroyed.connect(unlink)
