"""Extra views, each a module of its own, shown as tabs in the window's analysis area. A new
capability adds a module and one entry here; the main window does not grow.

Each class is constructed as ``cls(workspace)`` and should name itself in ``title``/``hint``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PanelSpec:
    """module: under rnnviz.ui; cls: the QWidget subclass; title: the tab; hint: one line."""

    module: str
    cls: str
    title: str
    hint: str


PANELS: list[PanelSpec] = [
    PanelSpec("inspector", "UnitInspector", "Unit inspector",
              "One unit over the text and a corpus: coloured text, top contexts, pinned units "
              "(click a heatmap cell to choose the unit)"),
    PanelSpec("match_panel", "MatchPanel", "Select and match",
              "Units on over a span of steps, and the corpus passages where they are on together "
              "(LSTMVis)"),
]
