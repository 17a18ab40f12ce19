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
    PanelSpec("memory_view", "MemoryView", "Memory",
              "How far back each model's loss still reaches: median gradient norm against "
              "distance over a corpus, with the 25-75% band and the memory span of every path"),
    PanelSpec("vanishing_view", "VanishingView", "Why it vanishes",
              "Each step's Jacobian norm, the LSTM's forget gates, and the bound their product "
              "puts on the gradient at the cursor"),
    PanelSpec("whatif", "WhatIfView", "What if",
              "Edit a token or ablate, clamp or scale units, and see the difference: Δ log p of "
              "the next words, Δ loss, Δh"),
    PanelSpec("attribution", "UnitAttributionView", "Units",
              "Which units push the next word's logit up or down, and the effect of ablating "
              "each unit of a layer; click a bar to select the unit"),
    PanelSpec("beam_tree", "BeamTreeView", "Continue",
              "Generate after the text (greedy, sampling, beam search) and pick a branch of the "
              "beam tree"),
    PanelSpec("rwkv_state", "RwkvStatePanel", "RWKV state",
              "RWKV-4: the WKV average a/b per channel over steps; RWKV-7: each head's state "
              "matrix S at the cursor and the decay w over steps"),
]

# Help stays the last tab.
PANELS.append(PanelSpec(
    "help_panel", "HelpPanel", "Help",
    "Each view, the notation, the cell equations in PyTorch's and the book's form, and one "
    "unit's equations with this step's numbers"))
