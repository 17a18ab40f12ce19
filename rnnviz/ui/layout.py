"""Layouts that fit the screen: the first window size, a pair of panes that are a splitter when
there is room and tabs when there is not, and pane hints that fold into a tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QWidget

PREFERRED = QSize(1400, 900)
SCREEN_SHARE = 0.94  # of the available geometry (leaves room for the window frame)
COMPACT_HEIGHT = 680  # below this, two stacked panes become tabs
WIDE_AGAIN = 720  # ...and above this a splitter again (a margin, so it does not flicker)


def first_size(available: QRect | None) -> QSize:
    """The first window size: the preferred one, shrunk to fit the screen's available area
    (without the task bar and docks)."""
    if available is None or available.isEmpty():
        return PREFERRED
    return QSize(min(PREFERRED.width(), int(available.width() * SCREEN_SHARE)),
                 min(PREFERRED.height(), int(available.height() * SCREEN_SHARE)))


def place_on_screen(window: QWidget) -> None:
    """Resize the window to :func:`first_size` and centre it in the available area."""
    screen = window.screen()
    available = screen.availableGeometry() if screen is not None else None
    size = first_size(available)
    window.resize(size)
    if available is not None and not available.isEmpty():
        frame = window.frameGeometry()
        frame.moveCenter(available.center())
        window.move(max(available.left(), frame.left()), max(available.top(), frame.top()))


class SplitOrTabs(QStackedWidget):
    """Panes stacked in a vertical splitter, or, when the space is shorter than
    COMPACT_HEIGHT, in tabs (a plot squeezed to a sliver helps nobody)."""

    def __init__(self, panes: Sequence[QWidget], titles: Sequence[str],
                 sizes: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panes, self.titles, self.sizes = list(panes), list(titles), list(sizes)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.addWidget(self.splitter)
        self.addWidget(self.tabs)
        self._front: QWidget | None = None  # the pane show_pane asked for
        self._fill_splitter()

    def show_pane(self, pane: QWidget) -> None:
        """Bring a pane to the front: its tab when the panes are tabs (now or after a later
        resize); side by side in the splitter every pane is already shown."""
        self._front = pane
        if self.compact:
            self.tabs.setCurrentWidget(pane)

    def set_title(self, pane: QWidget, title: str) -> None:
        """A pane's tab title (kept for when the panes become tabs)."""
        i = self.panes.index(pane)
        self.titles[i] = title
        tab = self.tabs.indexOf(pane)
        if tab >= 0:
            self.tabs.setTabText(tab, title)

    @property
    def compact(self) -> bool:
        return self.currentWidget() is self.tabs

    def _fill_splitter(self) -> None:
        for pane in self.panes:
            self.splitter.addWidget(pane)
            pane.show()
        self.splitter.setSizes(self.sizes)
        self.setCurrentWidget(self.splitter)

    def _fill_tabs(self) -> None:
        for pane, title in zip(self.panes, self.titles, strict=True):
            self.tabs.addTab(pane, title)
        if self._front is not None:
            self.tabs.setCurrentWidget(self._front)
        self.setCurrentWidget(self.tabs)

    def set_compact(self, compact: bool) -> None:
        if compact == self.compact:
            return
        if compact:
            self._fill_tabs()
        else:
            while self.tabs.count():
                self.tabs.removeTab(0)
            self._fill_splitter()

    def resizeEvent(self, event: QResizeEvent) -> None:
        h = event.size().height()
        if h < COMPACT_HEIGHT:
            self.set_compact(True)
        elif h > WIDE_AGAIN:
            self.set_compact(False)
        super().resizeEvent(event)
