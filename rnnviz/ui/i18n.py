"""The UI language: English (the source strings) or Japanese (resources/i18n/rnnviz_ja.qm, made
from rnnviz_ja.ts by `make translations`). The choice follows the system locale until the user
picks one in View > Language; it is kept in the settings. Switching rebuilds the window on the
same workspace, so the text, the models and the step are kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from rnnviz.checkpoints.bundled import resource_path

I18N = resource_path("i18n")
LANGUAGES = {"en": "English", "ja": "日本語"}
SETTING = "language"

_installed: list[QTranslator] = []


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for pyside6-lupdate in ``context`` and returns it unchanged (Qt's own
    QT_TRANSLATE_NOOP is typed as returning object). Translate where shown:
    ``QCoreApplication.translate(context, text)`` or ``self.tr(text)`` in that class."""
    return text


def system_language() -> str:
    return "ja" if QLocale.system().language() == QLocale.Language.Japanese else "en"


def chosen_language(settings: QSettings) -> str:
    """The user's choice, else the system's language when rnnviz has it, else English."""
    value = str(settings.value(SETTING, "") or "")
    return value if value in LANGUAGES else system_language()


def catalogue(lang: str) -> Path:
    return I18N / f"rnnviz_{lang}.qm"


def install(lang: str) -> bool:
    """Load the translations of ``lang`` (rnnviz's own and Qt's standard dialogs) into the
    application, replacing any installed before; the default QLocale follows. False when the
    catalogue is missing (the UI stays English)."""
    app = QCoreApplication.instance()
    for tr in _installed:
        QCoreApplication.removeTranslator(tr)
    _installed.clear()
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja"
                               else QLocale.Language.English))
    if lang == "en" or app is None:
        return lang == "en"
    ours = QTranslator(app)
    if not ours.load(str(catalogue(lang))):
        return False
    QCoreApplication.installTranslator(ours)
    _installed.append(ours)
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{lang}", qt_dir):
        QCoreApplication.installTranslator(qt)
        _installed.append(qt)
    return True


def current() -> str:
    return "ja" if QLocale().language() == QLocale.Language.Japanese else "en"
