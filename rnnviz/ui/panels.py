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
    PanelSpec("whatif", "WhatIfView", "What if",
              "Edit a token or ablate, clamp or scale units, and see the difference: Δ log p of "
              "the next words, Δ loss, Δh"),
    PanelSpec("attribution", "UnitAttributionView", "Units",
              "Which units push the next word's logit up or down, and the effect of ablating "
              "each unit of a layer; click a bar to select the unit"),
    PanelSpec("beam_tree", "BeamTreeView", "Continue",
              "Generate after the text (greedy, sampling, beam search) and pick a branch of the "
              "beam tree"),
]
