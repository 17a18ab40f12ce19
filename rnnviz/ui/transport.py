"""First / back / play-pause / forward / last buttons and the playback speed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QStyle, QToolButton, QWidget

from rnnviz.session import ModelSession
from rnnviz.ui.binding import link_session

DEFAULT_RATE = 4  # steps per second


class Transport(QWidget):
    """Buttons that move the session's cursor, and a timer that plays through the sentence."""

    playing_changed = Signal(bool)

    def __init__(self, session: ModelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        px = QStyle.StandardPixmap
        self.first = self._button(px.SP_MediaSkipBackward, self.tr("First token (Home)"),
                                  session.home)
        self.back = self._button(px.SP_MediaSeekBackward, self.tr("Back one token (Left)"),
                                 lambda: session.step(-1))
        self.play = self._button(px.SP_MediaPlay, self.tr("Play / pause (Space)"), self.toggle)
        self.forward = self._button(px.SP_MediaSeekForward, self.tr("Forward one token (Right)"),
                                    lambda: session.step(1))
        self.last = self._button(px.SP_MediaSkipForward, self.tr("Last token (End)"), session.end)
        self.play.setText(self.tr("Play"))
        self.play.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.rate = QSpinBox()
        self.rate.setRange(1, 60)
        self.rate.setValue(DEFAULT_RATE)
        self.rate.setSuffix(self.tr(" steps/s"))
        self.rate.setToolTip(self.tr("Playback speed"))
        self.rate.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.rate.valueChanged.connect(self._apply_rate)
        self._apply_rate(DEFAULT_RATE)
        self._layout()
        link_session(self, [(session.cursor_changed, self._update_enabled),
                            (session.trace_changed, self._update_enabled)])
        self._update_enabled()

    def _button(self, icon: QStyle.StandardPixmap, tip: str, slot: Callable[[], None]
                ) -> QToolButton:
        b = QToolButton()
        b.setIcon(self.style().standardIcon(icon))
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
        b.setAutoRaise(False)
        b.clicked.connect(slot)
        return b

    def _layout(self) -> None:
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.first, self.back, self.play, self.forward, self.last):
            lay.addWidget(w)
        lay.addSpacing(8)
        lay.addWidget(QLabel(self.tr("Speed")))
        lay.addWidget(self.rate)
        lay.addStretch(1)

    def _apply_rate(self, rate: int) -> None:
        self.timer.setInterval(max(1, round(1000 / rate)))

    def set_interval_ms(self, ms: int) -> None:
        """Playback interval directly (tests and benchmarks)."""
        self.timer.setInterval(ms)

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def toggle(self) -> None:
        """Play from here (from the start if at the end), or pause."""
        if self.playing:
            self.pause()
            return
        if self.session.trace is None:
            return
        if self.session.cursor >= self.session.length - 1:
            self.session.home()
        self.timer.start()
        self.play.setText(self.tr("Pause"))
        self.play.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self.timer.stop()
            self.play.setText(self.tr("Play"))
            self.play.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
            self.playing_changed.emit(False)

    def _tick(self) -> None:
        if self.session.cursor >= self.session.length - 1:
            self.pause()
        else:
            self.session.step(1)
            if self.session.cursor >= self.session.length - 1:
                self.pause()

    def _update_enabled(self, *_: object) -> None:
        t, n = self.session.cursor, self.session.length
        has_text = self.session.trace is not None
        for b, on in ((self.first, t > 0), (self.back, t > 0),
                      (self.forward, t < n - 1), (self.last, t < n - 1),
                      (self.play, has_text and n > 1)):
            b.setEnabled(on and has_text)
