"""File > Save session / Open session: the workspace (models and their load options, text,
cursor, traced word, selection, options) plus the window's view settings in a versioned
``.rnnviz.json``. Opening loads the models in the background; a bad file is one line and the
models that were open stay."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.session import session_file as sf
from rnnviz.ui.gradient import GradientView
from rnnviz.ui.i18n import QT_TRANSLATE_NOOP
from rnnviz.ui.panels import PANELS
from rnnviz.ui.workers import Job

if TYPE_CHECKING:
    from rnnviz.ui.main_window import MainWindow

FILTER = QT_TRANSLATE_NOOP("SessionActions", "rnnviz session (*.rnnviz.json)")


def options_of(opts: VocabOptions) -> dict[str, Any]:
    """VocabOptions as JSON-able fields."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(opts).items()}


def vocab_options(d: dict[str, Any]) -> VocabOptions:
    """Back from JSON; unknown fields (from a newer rnnviz) are ignored."""
    known = set(VocabOptions.__dataclass_fields__)
    clean = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in known}
    return VocabOptions(**clean)  # type: ignore[arg-type]  # the fields' own names


def view_settings(window: MainWindow) -> dict[str, Any]:
    """What only the window holds: extra gradient curves, the matrix choice, the open tab."""
    views = window.findChildren(GradientView)
    out: dict[str, Any] = {"tab": current_tab(window)}
    if views:
        v = views[0]
        out |= {"curves": [n for n, box in (("c", v.c_check), ("input", v.input_check))
                           if box.isChecked()], "matrix": v.matrix_box.currentData()}
    return out


def current_tab(window: MainWindow) -> str:
    """The open tab's English title (a panel's ``PanelSpec.title``), whatever the UI language:
    session files name tabs the same in every language."""
    page = window.tabs.currentWidget()
    for spec, view in zip(PANELS, window.extra_views, strict=False):
        if view is page:
            return spec.title
    return "Step through" if page is window.splitter else \
        window.tabs.tabText(window.tabs.currentIndex())


def apply_view_settings(window: MainWindow, views: dict[str, Any]) -> None:
    curves = set(views.get("curves") or ())
    for v in window.findChildren(GradientView):
        v.c_check.setChecked("c" in curves)
        v.input_check.setChecked("input" in curves)
        i = v.matrix_box.findData(views.get("matrix"))
        if i >= 0:
            v.matrix_box.setCurrentIndex(i)
            v.matrix_box.activated.emit(i)
    if isinstance(views.get("tab"), str):
        window.show_panel(views["tab"])


def load_models(spec: sf.SessionSpec) -> list[LoadedModel]:
    """Every model of a session (in a worker thread or at start-up)."""
    return [load_model(m.path, vocab_options(m.options)) for m in spec.models]


class SessionActions(QObject):
    """The two File menu actions of a main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._job: Job | None = None

    def ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save session"), "",
                                              self.tr(FILTER))
        if path:
            self.save(path if path.endswith(sf.SUFFIX) else path + sf.SUFFIX)

    def save(self, path: str) -> None:
        w = self.window
        spec = sf.capture(w.workspace, sf.entries(w.workspace), view_settings(w))
        try:
            sf.write(spec, path)
        except OSError as e:
            QMessageBox.warning(w, self.tr("Cannot save session"), f"{Path(path).name}: {e}")
            return
        w.statusBar().showMessage(self.tr("Saved session {0}").format(Path(path).name), 8000)

    def ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, self.tr("Open session"), "",
                                              self.tr(FILTER))
        if path:
            self.open(path)

    def open(self, path: str) -> None:
        """Read the file now (fast), load its models in the background, then install."""
        try:
            spec = sf.read(path)
        except sf.SessionFileError as e:
            self._fail(path, str(e))
            return
        if self._job is not None:
            self._job.cancel()
        self._job = Job(lambda _p: load_models(spec), f"session {path}", (path, spec))
        self._job.signals.done.connect(self._loaded)
        self._job.signals.failed.connect(self._failed)
        self.window.statusBar().showMessage(self.tr("Opening session {0}…").format(
            Path(path).name))
        self.window.loads.submit(self._job)

    def _loaded(self, job: Job, models: list[LoadedModel]) -> None:
        if job is not self._job:
            return
        self._job = None
        path, spec = job.context
        try:
            sf.install(spec, self.window.workspace, models)
        except ValueError as e:  # SessionFileError, SessionError, VocabError
            self._fail(path, " ".join(str(e).split()))
            return
        apply_view_settings(self.window, spec.views)
        self.window.statusBar().showMessage(self.tr("Opened session {0}").format(
            Path(path).name), 8000)
        self.window.open_finished.emit(True)

    def _failed(self, job: Job, e: BaseException) -> None:
        if job is self._job:
            self._job = None
            self._fail(job.context[0], " ".join(str(e).split()) or type(e).__name__)

    def _fail(self, path: str, message: str) -> None:
        QMessageBox.warning(self.window, self.tr("Cannot open session"),
                            f"{Path(path).name}: {message}")
        self.window.open_finished.emit(False)
