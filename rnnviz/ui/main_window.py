"""The main window: sentence bar, token strip and transport on top; the hidden-state heatmaps large
on the left; next-word bars and gradients on the right; the model panel docked at the side; extra
views (rnnviz.ui.panels) as tabs in a dock at the bottom. Every view shows every model of the
workspace: heatmaps and bars side by side, gradients overlaid on one axis.

Keyboard (application-wide, so they work while a plot has focus): Left/Right step, Home/End jump,
Space plays or pauses. While the sentence box has focus those keys edit the text instead; Enter
runs the sentence and hands the keys back to the stepper (Esc does too, Ctrl+L returns).
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import VocabError
from rnnviz.session import ModelSession, SessionError, Workspace
from rnnviz.session.model_session import Prepared, prepare
from rnnviz.ui import export, i18n, open_dialog, pane_texts, session_actions
from rnnviz.ui.binding import link_session
from rnnviz.ui.columns import ModelColumns
from rnnviz.ui.example_opener import ExampleOpener
from rnnviz.ui.heatmap import pane_hint as heatmap_hint
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.layout import SplitOrTabs, place_on_screen
from rnnviz.ui.model_panel import ModelPanel
from rnnviz.ui.models_menu import ModelsMenu, bundled_models
from rnnviz.ui.panels import PANELS
from rnnviz.ui.runners import WorkspaceRunners
from rnnviz.ui.sentence_bar import Examples, SentenceBar, first_example
from rnnviz.ui.token_strip import TokenStrip
from rnnviz.ui.transport import Transport
from rnnviz.ui.workers import GradientRunner, Job, JobQueue

log = logging.getLogger(__name__)

OPEN_WINDOWS: list[MainWindow] = []  # windows made by a language switch (kept alive here)
RECENT_KEY = "recent_files"
STEP_THROUGH = QT_TRANSLATE_NOOP("MainWindow", "Step through")  # English: --panel, sessions
MAX_RECENT = 8
FIRST_JOB_DELAY_MS = 300

VIEWS = (
    ("heatmap", "HiddenStateView", QT_TRANSLATE_NOOP("MainWindow", "Hidden state"),
     QT_TRANSLATE_NOOP("MainWindow",
                       "What the network remembers: each row is one unit of the hidden state, "
                       "each column a word read so far (blue = negative, red = positive). The "
                       "outlined column is the current word.")),
    ("softmax", "SoftmaxView", QT_TRANSLATE_NOOP("MainWindow", "Next-word prediction"),
     QT_TRANSLATE_NOOP("MainWindow",
                       "After reading the current word, how likely the model finds each "
                       "possible next word. The true next word is highlighted, with its rank.")),
    ("gradient", "GradientView", QT_TRANSLATE_NOOP("MainWindow", "Gradient flow back in time"),
     QT_TRANSLATE_NOOP("MainWindow",
                       "How strongly this step's loss reaches back to each earlier hidden state "
                       "(log scale). A curve that falls steeply to the left is the vanishing "
                       "gradient.")),
)


def load_and_prepare(workspace: Workspace, path: str, opts: VocabOptions, text: str,
                     prime: str, add: bool) -> tuple[LoadedModel, Prepared | None]:
    """On the loading thread: the model, and its run of the current text (None when the text
    does not suit it: the GUI thread then falls back to an example)."""
    model = load_model(path, opts)
    if add:
        return model, None
    try:
        return model, prepare(workspace, model, text, prime)
    except Exception:  # SessionError, VocabError, an engine error: reported after install
        return model, None


def one_line(e: BaseException) -> str:
    """An exception as one line for a message box."""
    text = " ".join(str(e).split())
    return text or type(e).__name__


class _Holder(QWidget):
    """Sizes its one child by hand: when a view's labels change on a step, the view's new size
    hints stop here instead of re-laying out the whole window."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(400, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 120)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.child.setGeometry(self.rect())


DOCK_MIN_WINDOW_WIDTH = 1200  # a narrower window starts without the model dock (View > Model)
HINT_MIN_HEIGHT = 360  # a shorter pane folds its hint into the title's tooltip, marked (?)


class ViewPane(QFrame):
    """A titled frame with a one-line hint above a view; in a short pane the hint folds into
    the title's tooltip, marked (?)."""

    def __init__(self, title: str, hint: str, view: QWidget, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.view = view
        own_title = getattr(view, "title_label", None)
        if own_title is not None:  # the pane's title replaces the view's own
            own_title.hide()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #57606a;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.hint)
        lay.addWidget(_Holder(view), 1)
        self._title_text = title

    def set_texts(self, title: str, hint: str) -> None:
        """Title and hint (they follow the model and the shown kind)."""
        self._title_text = title
        self.hint.setText(hint)
        self._fold_hint()

    def _fold_hint(self) -> None:
        folded = self.height() < HINT_MIN_HEIGHT
        self.hint.setVisible(not folded)
        self.title.setText(self._title_text + ("  (?)" if folded else ""))
        self.title.setToolTip(self.hint.text() if folded else "")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fold_hint()


class StatusText(QWidget):
    """A one-line text that repaints itself without asking the window to lay out again
    (a QLabel's setText would, on every step)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 4)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(400, self.fontMetrics().height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight,
                                              self.width() - 4)
        p.drawText(self.rect().adjusted(2, 0, -2, 0),
                   int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        p.end()


def make_view(module: str, cls: str, owner: ModelSession | Workspace) -> QWidget:
    """The real view if its module is there, else a placeholder label."""
    try:
        mod = importlib.import_module(f"rnnviz.ui.{module}")
        view_cls = getattr(mod, cls)
    except (ImportError, AttributeError):
        label = QLabel(QCoreApplication.translate("MainWindow", "({0} is not available in this "
                                                  "build)").format(cls))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label
    widget: QWidget = view_cls(owner)
    own_title = getattr(widget, "title_label", None)
    if own_title is not None:  # the pane's title names the view
        own_title.hide()
    return export.attach(widget)


def make_pane_view(module: str, cls: str, workspace: Workspace) -> QWidget:
    """The pane's content: the gradient pane (overlay + columns), or one column per model."""
    if module == "gradient":
        return make_view("gradient_pane", "GradientPane", workspace)
    return ModelColumns(workspace, lambda s: make_view(module, cls, s))


class MainWindow(QMainWindow):
    """Wires the session to the views, the menus, the keys and the background jobs."""

    open_finished = Signal(bool)  # after each attempt to open a file: True if it loaded

    def __init__(self, workspace: Workspace | ModelSession, settings: QSettings | None = None,
                 examples: Examples | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if isinstance(workspace, ModelSession):
            workspace = workspace.workspace
        self.workspace = workspace
        if not workspace.models:
            workspace.attach(ModelSession(workspace))
        session = self.session  # the first model: bars, strip and panel follow it
        self.settings = settings if settings is not None else QSettings()
        self.loads = JobQueue(self)
        self.gradient_jobs = JobQueue(self)
        self.runners = WorkspaceRunners(workspace, self.gradient_jobs)
        self._load_job: Job | None = None
        self._compared = False
        self._dock_touched = False  # the user showed or hid the model dock: leave it so
        self.sentence = SentenceBar(session, examples)
        self.strip = TokenStrip(session)
        self.transport = Transport(session)
        self.panel = ModelPanel(session)
        self.panes = [ViewPane(self.tr(title), self.tr(hint), make_pane_view(mod, cls, workspace))
                      for mod, cls, title, hint in VIEWS]
        self.extra_views = [make_view(p.module, p.cls, workspace) for p in PANELS]
        self._build_layout()
        self._build_status()
        self._build_menus()
        self._build_shortcuts()
        self._connect()
        self.setAcceptDrops(True)
        place_on_screen(self)  # fits the screen's available area (1366x768 included)
        self._models_changed()
        if session.model is not None and session.model.path:  # the model given at startup
            self._remember(session.model.path, VocabOptions())
        if session.trace is not None:  # a sentence is already there: fill its gradients once
            QTimer.singleShot(FIRST_JOB_DELAY_MS, self.runners.schedule)  # the window has painted

    # ---- the first model's views (tests, benchmarks) --------------------------------------
    @property
    def session(self) -> ModelSession:
        """The first model's session: it leads the cursor."""
        return self.workspace.models[0]

    @property
    def runner(self) -> GradientRunner:
        """The first model's gradient jobs."""
        return self.runners.lead

    @property
    def heatmap(self) -> QWidget:
        return self._lead_view(0)

    @property
    def softmax(self) -> QWidget:
        return self._lead_view(1)

    @property
    def gradient(self) -> QWidget:
        pane = self.panes[2].view
        view = getattr(pane, "view", pane)
        assert isinstance(view, QWidget)
        return view

    def _lead_view(self, pane: int) -> QWidget:
        content = self.panes[pane].view
        return content.views[0] if isinstance(content, ModelColumns) else content

    # ---- construction -----------------------------------------------------------------------
    def _build_layout(self) -> None:
        top = QWidget()
        lay = QVBoxLayout(top)
        lay.setContentsMargins(8, 6, 8, 2)
        lay.addWidget(self.sentence)
        row = QHBoxLayout()
        row.addWidget(self.transport)
        row.addSpacing(16)
        row.addWidget(self.strip.hint, 1)
        row.addWidget(self.strip.saliency)
        lay.addLayout(row)
        lay.addWidget(self.strip)
        right = SplitOrTabs(self.panes[1:], [self.tr(VIEWS[1][2]), self.tr(VIEWS[2][2])],
                            [380, 560])
        self.right = right
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.panes[0])
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 660])
        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(top)
        col.addWidget(self._build_tabs(), 1)
        self.setCentralWidget(central)
        self.dock = QDockWidget(self.tr("Model"), self)
        self.dock.setObjectName("model_dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                              | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.panel.setMinimumWidth(200)
        self.panel.setMaximumWidth(420)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.resizeDocks([self.dock], [250], Qt.Orientation.Horizontal)
        self.strip.chips.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _build_tabs(self) -> QTabWidget:
        """Tab 1 steps through the text (heatmaps, bars, gradients); each registered panel
        (rnnviz.ui.panels) is another tab under the same sentence, tokens and transport."""
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, self.tr(STEP_THROUGH))
        self.tabs.setTabToolTip(0, self.tr("Hidden state, next-word prediction and gradients, "
                                           "step by step"))
        for spec, view in zip(PANELS, self.extra_views, strict=True):
            i = self.tabs.addTab(view, spec.shown_title())
            self.tabs.setTabToolTip(i, spec.shown_hint())
        return self.tabs

    def show_panel(self, title: str) -> bool:
        """Bring a tab to the front by its English title (``PanelSpec.title``, as --panel and
        session files name it) or by the title shown; also Step through's panes ('Next-word
        prediction' and its other names, 'Gradient flow back in time'), which are sub-tabs in a
        short window. False when no tab has that title."""
        english = [STEP_THROUGH, *(spec.title for spec in PANELS)]
        for i in range(self.tabs.count()):
            if title in (self.tabs.tabText(i), english[i] if i < len(english) else None):
                self.tabs.setCurrentIndex(i)
                return True
        prediction = {VIEWS[1][2], *(names[0] for names in pane_texts.PANES.values())}
        names = [(prediction, self.right.panes[0]), ({VIEWS[2][2]}, self.right.panes[1])]
        for (english_names, pane), shown in zip(names, self.right.titles, strict=True):
            if title in english_names | {shown, *(self.tr(n) for n in english_names)}:
                self.tabs.setCurrentIndex(0)
                self.right.show_pane(pane)
                return True
        return False

    def panel_titles(self) -> list[str]:
        """The English titles show_panel knows (tabs, then Step through's panes)."""
        return [STEP_THROUGH, *(spec.title for spec in PANELS), VIEWS[1][2], VIEWS[2][2]]

    def _build_status(self) -> None:
        self.step_label = StatusText()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat(self.tr("gradients %p%"))
        self.progress.hide()
        self.statusBar().addWidget(self.step_label, 1)
        self.statusBar().addPermanentWidget(self.progress)

    def _build_menus(self) -> None:
        file = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = self._action(file, self.tr("&Open model…"),
                                        QKeySequence.StandardKey.Open, self.choose_and_open)
        self.recent_menu = QMenu(self.tr("Open &recent"), self)
        file.addMenu(self.recent_menu)
        self.models_menu = ModelsMenu(self.workspace, self._open_path, self.choose_and_open, self)
        file.addAction(self.models_menu.compare_action)
        file.addSeparator()
        self.sessions = session_actions.SessionActions(self)
        self._action(file, self.tr("Open &session…"), None, self.sessions.ask_open)
        self._action(file, self.tr("&Save session…"), QKeySequence.StandardKey.Save,
                     self.sessions.ask_save)
        self._action(file, self.tr("Export &figure…"), QKeySequence("Ctrl+Shift+S"),
                     lambda: export.ask_save_image(self))
        file.addSeparator()
        self._action(file, self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        self.menuBar().addMenu(self.models_menu)
        view = self.menuBar().addMenu(self.tr("&View"))
        view.addAction(self.dock.toggleViewAction())
        self.dock.toggleViewAction().triggered.connect(self._dock_toggled)
        for i in range(self.tabs.count()):
            key = QKeySequence(f"Ctrl+{i + 1}") if i < 9 else None
            self._action(view, self.tabs.tabText(i), key,
                         lambda _=False, k=i: self.tabs.setCurrentIndex(k))
        self._action(view, self.tr("Edit the &sentence"), QKeySequence("Ctrl+L"),
                     self.sentence.focus_edit)
        self._build_language_menu(view)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&Help panel: views, notation, equations"),
                     QKeySequence.StandardKey.HelpContents, lambda: self.show_panel("Help"))
        self._action(help_menu, self.tr("&Keys and views"), None, self.show_help)
        self._refresh_recent()

    def _build_language_menu(self, view: QMenu) -> None:
        """View > Language: switching rebuilds the window on the same workspace."""
        menu = view.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        for code, name in i18n.LANGUAGES.items():
            act = menu.addAction(name)
            act.setCheckable(True)
            act.setChecked(code == i18n.current())
            act.setData(code)
            group.addAction(act)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
        self.language_actions = group

    def set_language(self, code: str) -> MainWindow:
        """Remember the language, load it and replace this window by one in that language
        (same workspace: text, models, step and options stay). Returns the new window."""
        self.settings.setValue(i18n.SETTING, code)
        self.settings.sync()
        i18n.install(code)
        new = MainWindow(self.workspace, self.settings, self.sentence.examples)
        new.setGeometry(self.geometry())
        new.tabs.setCurrentIndex(self.tabs.currentIndex())
        OPEN_WINDOWS.append(new)
        if self.isVisible():
            new.show()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.close()
        return new

    def _action(self, menu: QMenu, text: str, key: Any, slot: Any) -> QAction:
        act = QAction(text, self)
        if key is not None:
            act.setShortcut(key)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_shortcuts(self) -> None:
        """Left/Right/Home/End/Space for the whole application; the sentence box keeps them
        while it has focus (QLineEdit claims them through ShortcutOverride)."""
        s = self.session
        keys = ((Qt.Key.Key_Right, lambda: s.step(1)), (Qt.Key.Key_Left, lambda: s.step(-1)),
                (Qt.Key.Key_Home, s.home), (Qt.Key.Key_End, s.end),
                (Qt.Key.Key_Space, self.transport.toggle))
        self.shortcuts: list[QShortcut] = []
        for key, slot in keys:
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.ApplicationShortcut)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.sentence.edit)
        esc.setContext(Qt.ShortcutContext.WidgetShortcut)
        esc.activated.connect(self.focus_steps)

    def _connect(self) -> None:
        s, ws = self.session, self.workspace
        link_session(self, [(s.model_changed, self._model_changed),
                            (ws.models_changed, self._models_changed),
                            (ws.text_changed, self._trace_changed),
                            (s.trace_changed, self._trace_changed),
                            (ws.traced_changed, self._trace_changed),
                            (ws.cursor_changed, self._update_status),
                            (ws.options_changed, self._option_changed)])
        self.sentence.applied.connect(self.focus_steps)
        self.strip.panel_wanted.connect(self.show_panel)
        self.examples_opener = ExampleOpener(self, self)
        self.sentence.example_chosen.connect(self.examples_opener.open)
        self.panel.vocabulary_wanted.connect(self.choose_vocabulary)
        self.runners.progress.connect(lambda f: self.progress.setValue(round(100 * f)))
        self.runners.busy_changed.connect(self._busy)

    # ---- session -> window ------------------------------------------------------------------
    def _model_changed(self) -> None:
        names = [s.name for s in self.workspace.models if s.model is not None]
        self.setWindowTitle(f"{' vs '.join(names)} — rnnviz" if names else "rnnviz")
        self._relabel_panes()

    def _relabel_panes(self) -> None:
        """Pane titles and hints that say what is shown: the kind's colours, 'character' for
        character-level models."""
        s = self.session
        cell = s.model.params.cell if s.model is not None else "lstm"
        self.panes[0].set_texts(self.tr(VIEWS[0][2]), heatmap_hint(s.state_kind, cell))
        title, hint = pane_texts.prediction_pane(s)
        self.panes[1].set_texts(title, hint)
        self.right.set_title(self.panes[1], title)

    def _models_changed(self) -> None:
        if len(self.workspace.models) > 1 and not self._compared:
            self._compared = True  # the first comparison: give the columns the dock's room
            self.dock.hide()
        self.runners.sync()
        self._model_changed()
        self.runners.schedule()
        self._update_status()

    def _trace_changed(self) -> None:
        self.transport.pause()
        self.runners.schedule()
        self._update_status()
        self._warn_if_long()

    def _warn_if_long(self) -> None:
        """Say when a text is too long for the full gradient matrix (rows are kept as visited)."""
        s = self.session
        if s.trace is None or s.engine is None:
            return
        store = s.store(s.truncate)
        if not store.dense:
            self.statusBar().showMessage(
                self.tr("Long text ({0} tokens): the full gradient matrix would need {1} GB, so "
                        "only the rows you visit are computed and kept").format(
                    f"{s.length:,}", f"{store.bytes_needed / 2**30:.1f}"), 15000)

    def _option_changed(self, name: str) -> None:
        if name == "truncate":
            self.runners.schedule()
        if name == "state_kind":
            self._relabel_panes()

    def _busy(self, busy: bool) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(busy)

    def status_text(self) -> str:
        """'step t of T · token · loss · perplexity' for the status bar."""
        return pane_texts.status_text(self.workspace)

    def _update_status(self, *_: object) -> None:
        self.step_label.setText(self.status_text())

    def focus_steps(self) -> None:
        """Give the keys back to the stepper (the token strip takes focus)."""
        self.strip.chips.setFocus(Qt.FocusReason.OtherFocusReason)

    # ---- opening files ----------------------------------------------------------------------
    def choose_and_open(self, add: bool = False) -> None:
        """A file dialog; ``add`` opens the model beside the others (File > Compare with…)."""
        start = str(Path(self.session.model.path).parent) if self.session.model and \
            self.session.model.path else ""
        path = open_dialog.choose_model_file(self, start)
        if path:
            self.open_file(path, add=add)

    def choose_vocabulary(self, path: str) -> None:
        """Open a model file again with a vocabulary the user picks (the model card's button)."""
        chosen = open_dialog.ask_vocabulary(
            self, path, self.tr("choose the vocabulary for this model"), VocabOptions())
        if chosen is not None:
            self.open_file(path, chosen)

    def _open_path(self, path: str, add: bool) -> None:
        self.open_file(path, add=add)

    def open_file(self, path: str, opts: VocabOptions | None = None, add: bool = False) -> None:
        """Load in the background; on success switch the first model (or, with ``add``, put the
        model beside the others); on failure keep every model as it was."""
        if self._load_job is not None:
            self._load_job.cancel()
        opts = opts or VocabOptions()
        self.statusBar().showMessage(self.tr("Opening {0}…").format(Path(path).name))
        ws = self.workspace
        text, prime = ws.text, ws.prime
        job = Job(lambda _progress: load_and_prepare(ws, path, opts, text, prime, add),
                  f"open {path}", (path, opts, add))
        job.signals.done.connect(self._loaded)
        job.signals.failed.connect(self._load_failed)
        self._load_job = job
        self.loads.submit(job)

    def _current_job(self, job: Job) -> bool:
        if job is not self._load_job or job.is_cancelled:
            return False
        self._load_job = None
        return True

    def _loaded(self, job: Job, result: tuple[LoadedModel, Prepared | None]) -> None:
        if not self._current_job(job):
            return
        path, opts, add = job.context
        model, prepared = result
        error = self.add_model(model) if add else self.install_model(model, prepared)
        if error:
            self._report(path, error)
            return
        target = self.workspace.models[-1] if add else self.session
        target.load_options = session_actions.options_of(opts)
        self._remember(path, opts)
        notes = "; ".join(model.notices)
        self.statusBar().showMessage(self.tr("Opened {0}").format(model.name)
                                     + (f" ({notes})" if notes else ""), 15000)
        self.open_finished.emit(True)

    def _load_failed(self, job: Job, e: BaseException) -> None:
        if not self._current_job(job):
            return
        path, opts, add = job.context
        message = one_line(e)
        if open_dialog.needs_vocabulary(message):
            chosen = open_dialog.ask_vocabulary(self, path, message, opts)
            if chosen is not None:
                self.open_file(path, chosen, add)
                return
            self.statusBar().showMessage(self.tr("Open cancelled: the previous model stays"), 8000)
            self.open_finished.emit(False)
            return
        self._report(path, message)

    def _report(self, path: str, message: str) -> None:
        self.statusBar().showMessage(self.tr("Could not open {0}").format(Path(path).name), 8000)
        QMessageBox.warning(self, self.tr("Cannot open model"), f"{Path(path).name}: {message}")
        self.open_finished.emit(False)

    def install_model(self, model: LoadedModel, prepared: Prepared | None = None
                      ) -> str | None:
        """Switch the session to model (current sentence, else an example that suits it;
        ``prepared``: its run made on the loading thread). Returns an error line, with the
        previous model restored, if the model cannot run."""
        old, text = self.session.model, self.session.text
        try:
            self.session.set_model(model, prepared)
            if self.session.trace is None:
                self.session.set_text(first_example(self.sentence.examples, model.tokenizer))
            return None
        except (SessionError, VocabError):
            try:
                self.session.set_text(first_example(self.sentence.examples, model.tokenizer))
                return None
            except Exception as e:
                problem = one_line(e)
        except Exception as e:  # a model whose numbers the engine cannot run
            log.exception("model %s failed to run", model.path)
            problem = one_line(e)
        if old is not None:
            self.session.text = text
            self.session.set_model(old)
        return problem

    def add_model(self, model: LoadedModel) -> str | None:
        """Put a model beside the others on the current text; an error line if it cannot."""
        try:
            self.workspace.add_model(model)
            return None
        except Exception as e:  # SessionError (4 models, empty text), VocabError, engine errors
            return one_line(e)

    # ---- recent files and drops -------------------------------------------------------------
    def recent(self) -> list[dict[str, Any]]:
        raw = self.settings.value(RECENT_KEY, "[]")
        try:
            items = json.loads(str(raw))
        except ValueError:
            return []
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("path"), str)]

    def _remember(self, path: str, opts: VocabOptions) -> None:
        path = str(Path(path).resolve())
        entry = {"path": path, **session_actions.options_of(opts)}
        items = [entry] + [i for i in self.recent() if i["path"] != path]
        self.settings.setValue(RECENT_KEY, json.dumps(items[:MAX_RECENT]))
        self.settings.sync()
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent()
        for i, item in enumerate(items):
            act = self.recent_menu.addAction(f"&{i + 1}  {Path(item['path']).name}")
            act.setToolTip(item["path"])
            act.setStatusTip(item["path"])
            act.triggered.connect(lambda _=False, it=item: self.open_recent(it))
        if items:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear list"), self._clear_recent)
        self._add_bundled_to_recent({str(Path(i["path"]).resolve()) for i in items})
        self.recent_menu.setEnabled(not self.recent_menu.isEmpty())

    def _add_bundled_to_recent(self, listed: set[str]) -> None:
        """The bundled models under the recent files (those not listed already)."""
        bundled = [p for p in bundled_models() if str(p.resolve()) not in listed]
        if not bundled:
            return
        self.recent_menu.addSection(self.tr("Bundled models"))
        for path in bundled:
            act = self.recent_menu.addAction(path.stem)
            act.setToolTip(str(path))
            act.triggered.connect(lambda _=False, p=str(path): self.open_file(p))

    def open_recent(self, item: dict[str, Any]) -> None:
        self.open_file(item["path"], session_actions.vocab_options(item))

    def _clear_recent(self) -> None:
        self.settings.setValue(RECENT_KEY, "[]")
        self._refresh_recent()

    @staticmethod
    def _dropped_file(event: QDragEnterEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        files = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        return files[0] if files else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_file(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_file(event)
        if path:
            event.acceptProposedAction()
            self.open_file(path)
        else:
            event.ignore()

    # ---- misc -------------------------------------------------------------------------------
    def show_help(self) -> None:
        QMessageBox.information(self, self.tr("Keys and views"), self.tr(HELP_TEXT))

    def shutdown(self) -> None:
        """Stop playback and background jobs (close, tests)."""
        self.transport.pause()
        self.runners.stop()
        self._load_job = None
        self.loads.shutdown()
        self.gradient_jobs.shutdown()
        for view in self.extra_views:  # panels with background work of their own
            stop = getattr(view, "shutdown", None)
            if callable(stop):
                stop()
        self.sentence.cancel_run()
        self.sentence.jobs.shutdown()

    def _dock_toggled(self) -> None:
        self._dock_touched = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A narrow window gives the model dock's room to the views (until the user
        chooses)."""
        super().resizeEvent(event)
        if not self._dock_touched and not self._compared:
            self.dock.setVisible(event.size().width() >= DOCK_MIN_WINDOW_WIDTH)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        if self in OPEN_WINDOWS:
            OPEN_WINDOWS.remove(self)
        super().closeEvent(event)


HELP_TEXT = QT_TRANSLATE_NOOP(
    "MainWindow", """<b>Keys</b> (anywhere except while typing in the sentence box)<br>
Right / Left: next / previous word &nbsp; Home / End: first / last word &nbsp;
Space: play / pause<br>
Enter in the sentence box runs the sentence from the first word and hands the keys back;
Esc leaves the box, Ctrl+L returns to it. Ctrl+O opens a model; you can also drop a file on the
window.<br><br>
<b>Views</b><br>
<i>Hidden state</i>: the network's memory, unit by unit, for every word read so far.<br>
<i>Next-word prediction</i>: the most likely next words after the current one.<br>
<i>Gradient flow back in time</i>: how much this step's loss depends on each earlier step —
watch it fade (vanishing gradients) and see what truncated BPTT cuts off.<br><br>
<b>GRU update gate z</b>: rnnviz follows PyTorch, h' = (1 − z)·n + z·h, so z near 1 keeps the
old state. The book writes h = (1 − z)·h_prev + z·h_hat: its z is 1 minus the one shown.<br>
<b>Character models</b>: spaces show as ␣ and newlines as ⏎; type \n in the sentence box for
a newline (\\ for a backslash).""")
