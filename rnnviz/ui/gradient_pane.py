"""The gradient pane: one model's full gradient view, or, with several models, the overlay of
all models on one log axis with each model's own view a tab away."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from rnnviz.session import Workspace
from rnnviz.ui import export
from rnnviz.ui.binding import link_session
from rnnviz.ui.columns import ModelColumns
from rnnviz.ui.gradient import GradientView, untitled_view
from rnnviz.ui.gradient_compare import CompareGradientView
from rnnviz.ui.traced_word import TracedWordBox


class GradientPane(QWidget):
    """The traced-word line above a stack: page 0 holds the per-model columns (one model: the
    plain view); page 1 holds the tabs 'All models, one axis' (the overlay) and 'Each model'
    (the columns), used with 2+ models."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.traced = TracedWordBox(workspace)
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.traced)
        outer.addWidget(self.stack, 1)
        self.columns = ModelColumns(workspace, lambda s: export.attach(untitled_view(s)))
        self.compare = export.attach(CompareGradientView(workspace))
        self.single = QWidget()
        self._single_layout = QVBoxLayout(self.single)
        self._single_layout.setContentsMargins(0, 0, 0, 0)
        self._single_layout.addWidget(self.columns)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.compare, self.tr("All models, one axis"))
        self.stack.addWidget(self.single)
        self.stack.addWidget(self.tabs)
        link_session(self, [(workspace.models_changed, self.arrange)])
        self.arrange()

    def arrange(self) -> None:
        """The overlay tabs with two or more models, the plain view with one."""
        many = len(self.workspace.models) > 1
        if many and self.stack.currentIndex() != 1:
            self.tabs.addTab(self.columns, self.tr("Each model"))
            self.tabs.setCurrentIndex(0)
            self.stack.setCurrentIndex(1)
        elif not many and self.stack.currentIndex() != 0:
            self.tabs.removeTab(1)
            self._single_layout.addWidget(self.columns)
            self.columns.show()
            self.stack.setCurrentIndex(0)

    @property
    def view(self) -> GradientView:
        """The first model's full view."""
        view = self.columns.views[0]
        assert isinstance(view, GradientView)
        return view
