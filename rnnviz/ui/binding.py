"""Session subscriptions that end with the widget (the session outlives windows in tests and
when a window is replaced): a slot of a deleted widget must never be called."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from psygnal import SignalInstance
from PySide6.QtWidgets import QWidget

from rnnviz.session import ModelSession

Pairs = Sequence[tuple[SignalInstance, Callable[..., Any]]]


def link_session(widget: QWidget, pairs: Pairs) -> None:
    """Connect session signals to slots and disconnect them when the widget is destroyed."""
    for signal, slot in pairs:
        signal.connect(slot)

    def unlink() -> None:
        for signal, slot in pairs:
            signal.disconnect(slot, missing_ok=True)

    widget.destroyed.connect(unlink)


class SessionView(QWidget):
    """Base of the plot views: follows the session's model, trace, cursor and options for the
    widget's lifetime. Subclasses implement the four handlers and call :meth:`subscribe` once
    their widgets exist."""

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def subscribe(self, *extra: tuple[SignalInstance, Callable[..., Any]]) -> None:
        """Connect the standard signals (plus ``extra`` pairs), then show the current state."""
        s = self.session
        link_session(self, [(s.model_changed, self._on_model_changed),
                            (s.trace_changed, self._on_trace_changed),
                            (s.cursor_changed, self._on_cursor_changed),
                            (s.options_changed, self._on_options_changed), *extra])
        self.refresh()

    def refresh(self) -> None:
        """Rebuild everything from the session's current model, trace, options and cursor."""
        self._on_model_changed()
        if self.session.trace is not None:
            self._on_trace_changed()

    def _on_model_changed(self) -> None:
        raise NotImplementedError

    def _on_trace_changed(self) -> None:
        raise NotImplementedError

    def _on_cursor_changed(self, t: int) -> None:
        raise NotImplementedError

    def _on_options_changed(self, name: str) -> None:
        raise NotImplementedError


class RefreshWhenShown:
    """Mixin for panels in a tab: :meth:`refresh_later` runs the refresh now, unless the panel
    sits hidden in a shown window (another tab is in front): then once it is next shown, so a
    hidden tab costs nothing while the user steps."""

    _stale = False

    def hidden_in_window(self) -> bool:
        return bool(self.window().isVisible() and not self.isVisible())  # type: ignore[attr-defined]

    def refresh_later(self, *_: object) -> None:
        if self.hidden_in_window():
            self._stale = True
        else:
            self._stale = False
            self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)  # type: ignore[misc]
        if self._stale:
            self._stale = False
            self.refresh()


class ModelLinks:
    """Signals of every model of a workspace, for a widget that follows them all: ``relink``
    drops the connections made for the old list of models and connects ``pairs(session)`` for
    each current one; all of them end when the widget is destroyed. ``sessions`` is the list
    linked now."""

    def __init__(self, widget: QWidget,
                 pairs: Callable[[ModelSession], Sequence[tuple[SignalInstance,
                                                                Callable[..., Any]]]]) -> None:
        self.sessions: list[ModelSession] = []
        self._pairs = pairs
        self._linked: list[tuple[SignalInstance, Callable[..., Any]]] = []
        widget.destroyed.connect(self.unlink)

    def relink(self, sessions: Sequence[ModelSession]) -> None:
        self.unlink()
        self.sessions[:] = sessions
        for s in self.sessions:
            for signal, slot in self._pairs(s):
                signal.connect(slot)
                self._linked.append((signal, slot))

    def unlink(self, *_: object) -> None:
        for signal, slot in self._linked:
            signal.disconnect(slot, missing_ok=True)
        self._linked.clear()
