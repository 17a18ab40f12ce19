"""Coloured text (Karpathy style): tokens whose background is a unit's value on a diverging
scale, a colour bar, and small layout helpers shared by the inspector and the match list."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from PySide6 import QtCore, QtGui, QtWidgets

from rnnviz.ui import colormaps as cm

SIGMOID = frozenset({"i", "f", "o", "r", "z"})
WIDTH = 10


def index_kind(kind: str) -> str:
    """A workspace state kind ('h', 'c', a gate name) as the index names it."""
    return kind if kind in ("h", "c") else f"gate_{kind}"


def unit_levels(kind: str, values: NDArray[np.float32]) -> tuple[float, float]:
    """Colour levels: [0, 1] for sigmoid gates, [-1, 1] for tanh-bounded values, else
    +-max|value| (c, relu h) rounded up."""
    if kind in SIGMOID:
        return (0.0, 1.0)
    peak = float(np.max(np.abs(values))) if values.size else 1.0
    if kind != "c" and peak <= 1.0:
        return (-1.0, 1.0)
    top = float(f"{peak:.2g}") if np.isfinite(peak) and peak > 0 else 1.0
    top = top if top >= peak else peak
    return (-top, top)


def value_colours(values: NDArray[np.floating], levels: tuple[float, float]) -> NDArray[np.ubyte]:
    """(N,) values -> (N, 4) RGBA bytes on the diverging map over ``levels``."""
    lo, hi = levels
    x = np.clip((np.asarray(values, np.float64) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    out: NDArray[np.ubyte] = cm.diverging().map(x, mode="byte")
    return out


def token_html(token: str, tokenizer: str, breaks: bool = True) -> str:
    """How one token is written in the coloured text (a newline breaks the line, or is shown as
    ⏎ in a one-line context)."""
    if tokenizer == "char":
        if token == "\n":
            return "<br>" if breaks else "⏎"
        return html.escape(token).replace(" ", "&nbsp;")
    return html.escape(token) + " "


def passage_text(tokens: Sequence[str], tokenizer: str, backward: bool = False) -> str:
    """Corpus tokens (in the model's reading order) as text to type: a backward model reads
    each line reversed, so its passage is turned back into text order."""
    toks = list(tokens)[::-1] if backward else list(tokens)
    return "".join(toks) if tokenizer == "char" else " ".join(toks)


def coloured_html(tokens: Sequence[str], values: NDArray[np.floating], levels: tuple[float, float],
                  tokenizer: str, link: str = "", mark: int = -1, first: int = 0,
                  breaks: bool = True) -> str:
    """Tokens with their background coloured by value; each links to ``link + step`` when a link
    prefix is given; the token at ``mark`` is outlined."""
    colours = value_colours(values, levels)
    parts = []
    for i, (tok, rgba) in enumerate(zip(tokens, colours, strict=True)):
        style = f"background-color:#{rgba[0]:02x}{rgba[1]:02x}{rgba[2]:02x};color:#202020;"
        if i == mark:
            style += "font-weight:bold;text-decoration:underline;"
        text = token_html(tok, tokenizer, breaks)
        if link:
            text = (f'<a href="{link}{first + i}" style="{style}text-decoration:none;">'
                    f"{text}</a>")
        parts.append(f'<span style="{style}">{text}</span>')
    return "".join(parts)


class ColourBar(QtWidgets.QLabel):
    """A horizontal diverging colour bar with its two end values."""

    def __init__(self) -> None:
        super().__init__()
        self.setFixedHeight(20)
        self.levels = (-1.0, 1.0)

    def set_levels(self, levels: tuple[float, float]) -> None:
        self.levels = levels
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        p = QtGui.QPainter(self)
        rect = self.rect().adjusted(50, 2, -50, -2)
        grad = QtGui.QLinearGradient(QtCore.QPointF(rect.left(), 0),
                                     QtCore.QPointF(rect.right(), 0))
        for x, rgba in zip(np.linspace(0, 1, 9), value_colours(np.linspace(*self.levels, 9),
                                                               self.levels), strict=True):
            grad.setColorAt(float(x), QtGui.QColor(*[int(c) for c in rgba[:3]]))
        p.fillRect(rect, grad)
        p.setPen(QtGui.QColor(cm.LABEL_COLOUR))
        p.drawText(self.rect().adjusted(0, 0, -self.width() + 48, 0),
                   QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter,
                   f"{self.levels[0]:+.2g}")
        p.drawText(self.rect().adjusted(self.width() - 48, 0, 0, 0),
                   QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter,
                   f"{self.levels[1]:+.2g}")
        p.end()


def browser() -> QtWidgets.QTextBrowser:
    b = QtWidgets.QTextBrowser()
    b.setOpenLinks(False)
    b.setOpenExternalLinks(False)
    b.setMinimumHeight(24)  # the dock may be made short; the panels scroll
    return b


def scrolled(owner: QtWidgets.QWidget, inner: QtWidgets.QWidget) -> None:
    """Put a panel's content in a frameless scroll area: the dock can then be made short (and
    the window keeps a small size asked for) without squeezing the views."""
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    area.setWidget(inner)
    area.setMinimumSize(40, 1)  # 0 would mean "unset": the hint (68) would apply
    lay = QtWidgets.QVBoxLayout(owner)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(area)


def shrinkable(*widgets: QtWidgets.QWidget) -> None:
    """Let plots and tabs be made short (a small window keeps the size asked for)."""
    for w in widgets:
        w.setMinimumSize(40, 24)
