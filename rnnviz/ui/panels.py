"""Extra views, each a module of its own, shown as tabs in the window's analysis area. A new
capability adds a module and one entry here; the main window does not grow.

Each class is constructed as ``cls(workspace)`` and should name itself in ``title``/``hint``."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from rnnviz.ui.i18n import QT_TRANSLATE_NOOP

CONTEXT = "panels"  # titles and hints are marked for translation in this context


@dataclass(frozen=True)
class PanelSpec:
    """module: under rnnviz.ui; cls: the QWidget subclass; title: the tab; hint: one line."""

    module: str
    cls: str
    title: str
    hint: str

    def shown_title(self) -> str:
        """The title in the UI language (``title`` stays English: it names the tab for
        ``--panel`` and in session files)."""
        return QCoreApplication.translate(CONTEXT, self.title)

    def shown_hint(self) -> str:
        return QCoreApplication.translate(CONTEXT, self.hint)


PANELS: list[PanelSpec] = [
    PanelSpec("memory_view", "MemoryView", QT_TRANSLATE_NOOP("panels", "Memory"),
              QT_TRANSLATE_NOOP("panels",
                                "How far back each model's loss still reaches: median gradient "
                                "norm against distance over a corpus, with the 25-75% band and "
                                "the memory span of every path")),
    PanelSpec("vanishing_view", "VanishingView", QT_TRANSLATE_NOOP("panels", "Why it vanishes"),
              QT_TRANSLATE_NOOP("panels",
                                "Each step's Jacobian norm, the LSTM's forget gates, and the "
                                "bound their product puts on the gradient at the cursor")),
    PanelSpec("whatif", "WhatIfView", QT_TRANSLATE_NOOP("panels", "What if"),
              QT_TRANSLATE_NOOP("panels",
                                "Edit a token or ablate, clamp or scale units, and see the "
                                "difference: Δ log p of the next words, Δ loss, Δh")),
    PanelSpec("attribution", "UnitAttributionView", QT_TRANSLATE_NOOP("panels", "Units"),
              QT_TRANSLATE_NOOP("panels",
                                "Which units push the next word's logit up or down, and the "
                                "effect of ablating each unit of a layer; click a bar to select "
                                "the unit")),
    PanelSpec("beam_tree", "BeamTreeView", QT_TRANSLATE_NOOP("panels", "Continue"),
              QT_TRANSLATE_NOOP("panels",
                                "Generate after the text (greedy, sampling, beam search) and pick"
                                " a branch of the beam tree")),
    PanelSpec("inspector", "UnitInspector", QT_TRANSLATE_NOOP("panels", "Unit inspector"),
              QT_TRANSLATE_NOOP("panels",
                                "One unit over the text and a corpus: coloured text, top "
                                "contexts, pinned units (click a heatmap cell to choose the "
                                "unit)")),
    PanelSpec("match_panel", "MatchPanel", QT_TRANSLATE_NOOP("panels", "Select and match"),
              QT_TRANSLATE_NOOP("panels",
                                "Units on over a span of steps, and the corpus passages where "
                                "they are on together (LSTMVis)")),
    PanelSpec("class_curves", "ClassCurvesView", QT_TRANSLATE_NOOP("panels", "Classes"),
              QT_TRANSLATE_NOOP("panels",
                                "A classifier's decision over the text: each class's "
                                "probability if the text ended after each word")),
    PanelSpec("rwkv_state", "RwkvStatePanel", QT_TRANSLATE_NOOP("panels", "RWKV state"),
              QT_TRANSLATE_NOOP("panels",
                                "RWKV-4: the WKV average a/b per channel over steps; RWKV-7: each"
                                " head's state matrix S at the cursor and the decay w over steps")),
]

# Help stays the last tab.
PANELS.append(PanelSpec(
    "help_panel", "HelpPanel", QT_TRANSLATE_NOOP("panels", "Help"),
    QT_TRANSLATE_NOOP("panels",
                      "Each view, the notation, the cell equations in PyTorch's and the book's "
                      "form, and one unit's equations with this step's numbers")))
