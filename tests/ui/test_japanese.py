"""The Japanese UI of the covered modules: (a) every message of rnnviz_ja.ts in their contexts is
translated, keeps its {n} fields, and the committed .ts/.qm are what the sources and glossaries
give today; (b) the real window under the ja translator, with two models, every tab visited,
shows no English UI string in those modules' widgets, plots, legends and menus.

A translation pass extends COVERED (module names under rnnviz/ui). Widgets of the CARRIERS
modules show what the view holding them sets, and labels marked FILE_TEXT show what a model file
recorded (its provenance, its command line): neither is counted as a UI string."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QTableWidget,
    QWidget,
)

from rnnviz.checkpoints.bundled import bundled_models
from rnnviz.checkpoints.loader import load_model
from rnnviz.session import Workspace
from rnnviz.ui import export, i18n
from rnnviz.ui.model_panel import FILE_TEXT
from tests.ui.conftest import DEMO, REPO, SENTENCE

#: Modules whose strings are translated (rnnviz/ui/<name>.py). Extend in later passes.
COVERED = ["memory_view", "vanishing_view", "whatif", "attribution", "beam_tree", "help_panel",
           "export", "i18n", "columns", "gradient_compare", "gradient_pane", "models_menu",
           "traced_word", "session_actions", "panels",
           "transport", "model_panel", "open_dialog", "colormaps", "workers", "layout",
           "inspector", "match_panel", "coloured_text", "corpus_hub", "rwkv_state", "binding",
           "sentence_bar", "gradient", "token_strip", "softmax", "heatmap", "main_window",
           "token_menu", "example_opener", "class_curves", "pane_texts"]

TS = REPO / "resources" / "i18n" / "rnnviz_ja.ts"
QM = REPO / "resources" / "i18n" / "rnnviz_ja.qm"
UI = REPO / "rnnviz" / "ui"
# English that may stay in Japanese text: names, commands and what the user typed.
ALLOWED = {"rnnviz eval", "LSTMVis", "PyTorch", "Truncated BPTT"}
WORD = r"[A-Za-z]{2,}"


def contexts_of(module: str) -> set[str]:
    """The translation contexts a module's strings land in: its class names and the first
    argument of its QCoreApplication.translate / QT_TRANSLATE_NOOP calls."""
    tree = ast.parse((UI / f"{module}.py").read_text(encoding="utf-8"))
    out = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name in ("translate", "QT_TRANSLATE_NOOP") and isinstance(n.args[0].value, str):
                out.add(n.args[0].value)
    return out


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, translation element) of every message."""
    root = ET.parse(ts).getroot()
    return [(c.findtext("name", ""), m.findtext("source", ""), m.find("translation"))
            for c in root.iter("context") for m in c.iter("message")]  # type: ignore[misc]


COVERED_CONTEXTS = set().union(*(contexts_of(m) for m in COVERED))


def fields(text: str) -> list[str]:
    return sorted(re.findall(r"\{\d+\}", text))


# ---- (a) the catalogue ---------------------------------------------------------------------
def test_every_covered_message_is_translated_and_keeps_its_fields() -> None:
    mine = [(c, s, t) for c, s, t in messages(TS) if c in COVERED_CONTEXTS]
    assert len(mine) > 150  # the covered modules' strings are really in the catalogue
    unfinished = [f"[{c}] {s}" for c, s, t in mine
                  if t is None or t.get("type") == "unfinished" or not (t.text or "").strip()]
    assert not unfinished, "untranslated:\n" + "\n".join(unfinished)
    glossary = glossaries()
    stale = [f"[{c}] {s}" for c, s, t in mine if t is not None and glossary.get(s) != t.text]
    assert not stale, "the .ts differs from the glossaries (run make translations):\n" + \
        "\n".join(stale)
    broken = [f"[{c}] {s} -> {t.text}" for c, s, t in mine
              if t is not None and fields(s) != fields(t.text or "")]
    assert not broken, "{n} fields differ:\n" + "\n".join(broken)


def test_every_context_of_the_catalogue_names_a_module() -> None:
    """A context no module defines would be a string the test could not attribute."""
    every = set().union(*(contexts_of(p.stem) for p in UI.glob("*.py")))
    assert {c for c, _, _ in messages(TS)} <= every


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.is_file() else shutil.which(name)


@pytest.mark.skipif(_tool("pyside6-lupdate") is None, reason="pyside6-lupdate not installed")
def test_the_committed_catalogue_is_up_to_date(tmp_path: Path) -> None:
    """lupdate over today's sources finds exactly the committed messages of the covered
    contexts (a new self.tr() string without `make translations` fails here), and lrelease of
    the committed .ts gives the committed .qm."""
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in UI.glob("*.py"))
    subprocess.run([str(_tool("pyside6-lupdate")), *sources, "-ts", str(fresh), "-no-obsolete",
                    "-locations", "none", "-silent"], check=True)

    def keys(ts: Path) -> set[tuple[str, str]]:
        return {(c, s) for c, s, _ in messages(ts) if c in COVERED_CONTEXTS}

    assert keys(fresh) == keys(TS)
    qm = tmp_path / "fresh.qm"
    subprocess.run([str(_tool("pyside6-lrelease")), "-silent", str(TS), "-qm", str(qm)],
                   check=True)
    assert qm.read_bytes() == QM.read_bytes()


def glossaries() -> dict[str, str]:
    """The union of resources/i18n/ja/*.json."""
    table: dict[str, str] = {}
    for path in sorted((REPO / "resources" / "i18n" / "ja").glob("*.json")):
        table |= json.loads(path.read_text(encoding="utf-8"))
    return table


def test_glossaries_follow_the_book() -> None:
    """The book's terms (ゼロから作るDeep Learning ❷) for the words the panels use most."""
    table = glossaries()
    expect = {"cell state c": "記憶セル", "input": "入力", "gradient norm (log)": "勾配",
              "LSTM forget gates: mean f, and prod f since a step": "忘却ゲート",
              "Δ loss per step": "損失"}
    for src, term in expect.items():
        assert term in table[src], (src, table[src])


# ---- (b) the window in Japanese ------------------------------------------------------------
def english_fragments() -> list[str]:
    """The parts of every source string between {n} fields that hold at least two English
    words: shown in a Japanese UI, they betray an untranslated string."""
    out = set()
    for _, source, _ in messages(TS):
        for part in re.split(r"\{\d+\}", source.replace("&", "")):
            part = part.strip()
            if len(re.findall(WORD, part)) >= 2:
                out.add(part)
    return sorted(out)


#: Modules whose widgets only carry text that the view holding them sets (a fitted label, the
#: split-or-tabs stack): their texts belong to that view.
CARRIERS = {"colormaps", "layout", "coloured_text"}


def owner_module(w: QWidget) -> str:
    """The rnnviz.ui module of the nearest rnnviz widget holding ``w`` (plain Qt widgets,
    carriers and private helpers such as whatif._Fitted belong to the view that holds them)."""
    node: Any = w
    while node is not None:
        mod = type(node).__module__
        if mod.startswith("rnnviz.ui.") and not type(node).__name__.startswith("_") \
                and mod.rsplit(".", 1)[1] not in CARRIERS:
            return mod.rsplit(".", 1)[1]
        node = node.parentWidget() if isinstance(node, QWidget) else None
    return ""


def widget_texts(w: QWidget) -> Iterator[str]:
    yield w.toolTip()
    if isinstance(w, QLabel):
        yield w.text()
    if isinstance(w, QAbstractButton):
        yield w.text()
    if isinstance(w, QGroupBox):
        yield w.title()
    if isinstance(w, QTabBar):
        for i in range(w.count()):
            yield w.tabText(i)
            yield w.tabToolTip(i)
    if isinstance(w, QComboBox):
        # the example picker lists resources/examples.txt (sentences and section titles in the
        # models' language: data, like the user's sentence); only its first item is UI
        n = 1 if w.objectName() == "examples" else w.count()
        yield from (w.itemText(i) for i in range(n))
    if isinstance(w, QLineEdit):
        yield w.placeholderText()
    if isinstance(w, QAbstractSpinBox):
        yield getattr(w, "prefix", str)()
        yield getattr(w, "suffix", str)()
    if isinstance(w, QTableWidget):
        for i in range(w.columnCount()):
            item = w.horizontalHeaderItem(i)
            yield item.text() if item is not None else ""
    if isinstance(w, QMenu):
        yield w.title()
        yield from menu_texts(w)
    if isinstance(w, pg.GraphicsView):
        yield from plot_texts(w)


def menu_texts(menu: QMenu) -> Iterator[str]:
    for act in menu.actions():
        yield from (act.text(), act.statusTip())
        if act.menu() is not None:
            yield act.menu().title()  # type: ignore[union-attr]
            yield from menu_texts(act.menu())  # type: ignore[arg-type]


def plot_texts(view: pg.GraphicsView) -> Iterator[str]:
    """Plot titles, axis labels and legend names of a pyqtgraph view."""
    for item in view.scene().items():
        if isinstance(item, pg.PlotItem):
            yield item.titleLabel.text
            for axis in item.axes.values():
                yield axis["item"].labelText
        elif isinstance(item, pg.LegendItem):
            for _sample, label in item.items:
                yield label.text


def covered_texts(window: QWidget) -> list[tuple[str, str]]:
    """(module, text) of every string shown by a covered module in the window."""
    out = []
    for w in [window, *window.findChildren(QWidget)]:
        mod = owner_module(w)
        if mod in COVERED and not w.property(FILE_TEXT):  # a model file's own words aside
            out += [(mod, re.sub(r"<[^>]+>", " ", t)) for t in widget_texts(w) if t]
    return out


@pytest.fixture
def japanese(qapp: QApplication) -> Iterator[None]:
    assert i18n.install("ja")
    yield
    i18n.install("en")


@pytest.fixture
def ja_window(japanese: None, qtbot: Any, settings: Any, boxes: Any) -> Iterator[Any]:
    from rnnviz.ui.main_window import MainWindow

    ws = Workspace()
    ws.text = SENTENCE
    for _ in range(2):
        ws.add_model(load_model(DEMO))
    win = MainWindow(ws, settings=settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.shutdown()


def _exercise(win: Any, qtbot: Any) -> None:
    """Visit every tab, wait for background work, and put numbers in the panels' dynamic texts
    (memory summary, a beam search, an intervention, a hovered step)."""
    from rnnviz.ui.beam_tree import BeamTreeView
    from rnnviz.ui.whatif import WhatIfView

    win.runners.run_blocking()
    win.workspace.set_cursor(4)
    for i in range(win.tabs.count()):
        win.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        qtbot.waitUntil(lambda: all(getattr(v, "idle", True) for v in win.extra_views),
                        timeout=120_000)
    beam = win.findChild(BeamTreeView)
    beam.generate()
    qtbot.waitUntil(lambda: beam.idle, timeout=30_000)
    whatif = win.findChild(WhatIfView)
    whatif.units_edit.setText("1:3")
    whatif._apply()
    assert whatif.shown is not None
    whatif.hover_label.setText(whatif.describe_step(whatif.shown, 2, 1.0))


def test_no_english_left_in_the_covered_panels(ja_window: Any, qtbot: Any) -> None:
    win = ja_window
    _exercise(win, qtbot)
    texts = covered_texts(win)
    for view in win.extra_views:  # the export menu of every panel
        texts += [("export", a.text()) for a in export.menu_for(view).actions()]
    seen = {m for m, _ in texts}
    assert {"memory_view", "vanishing_view", "whatif", "attribution", "beam_tree",
            "help_panel", "columns", "gradient_compare", "gradient_pane", "models_menu",
            "traced_word", "export", "transport", "inspector", "match_panel",
            "rwkv_state", "model_panel"} <= seen
    assert any("記憶セル" in t for _, t in texts)  # the translator really is installed
    fragments = english_fragments()
    leaks = sorted({(m, t) for m, t in texts for f in fragments
                    if f in t.replace("&", "") and f not in ALLOWED})
    assert not leaks, "English source text shown:\n" + "\n".join(f"{m}: {t!r}"
                                                                for m, t in leaks)
    # strings that never went through tr(): two English words in a row
    phrase = re.compile(rf"\b{WORD}(?:[ -]{WORD})+\b")
    raw = sorted({(m, t) for m, t in texts
                  for p in phrase.findall(_without_user_text(t, win)) if p not in ALLOWED})
    assert not raw, "English shown:\n" + "\n".join(f"{m}: {t!r}" for m, t in raw)


def _without_user_text(text: str, win: Any) -> str:
    """The text without model names (open and bundled), file paths and the words of the
    sentence."""
    names = {s.name for s in win.workspace.models} | set(bundled_models()) | ALLOWED
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    words = set(SENTENCE.split())
    return " ".join("·" if w.strip("“”\"'(),.:") in words or "/" in w else w  # paths too
                    for w in text.split(" "))


def _english_in(widget: QWidget) -> list[str]:
    """Texts of ``widget`` and its children that hold an English source fragment or two English
    words in a row (model file names and paths aside)."""
    fragments = english_fragments()
    phrase = re.compile(rf"\b{WORD}(?:[ -]{WORD})+\b")
    out = []
    for w in [widget, *widget.findChildren(QWidget)]:
        for t in widget_texts(w):
            t = " ".join("·" if "/" in x or x.endswith(".pt") else x
                         for x in re.sub(r"<[^>]+>", " ", t).split(" "))
            if any(f in t for f in fragments) or phrase.search(t):
                out.append(t)
    return out


def test_the_vocabulary_dialog_in_japanese(japanese: None, qtbot: Any, tmp_path: Path) -> None:
    """The dialog that asks for a vocabulary (with the RNN nonlinearity of a PyTorch file) shows
    no English but the file's name, the loader's message and the names of files it expects."""
    from rnnviz.ui.open_dialog import VocabDialog

    dlg = VocabDialog(str(tmp_path / "m.pt"), "", ptb_possible=True, pytorch=True)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.windowTitle() == "語彙が必要です"
    assert dlg.r_ptb.text().startswith("同梱の PTB 語彙")
    assert not _english_in(dlg), _english_in(dlg)


def test_the_model_card_in_japanese_keeps_its_english_keys(japanese: None, qtbot: Any,
                                                           demo_model: Any) -> None:
    """Rows are shown in Japanese; value() and labels() still take the English labels."""
    from rnnviz.ui.model_panel import ModelPanel

    ws = Workspace()
    ws.add_model(demo_model)
    panel = ModelPanel(ws.models[0])
    qtbot.addWidget(panel)
    p = demo_model.params
    assert panel.value("Layers") == str(p.num_layers)
    assert panel.value("Hidden units") == f"各層 {p.hidden_size}"
    assert panel.labels()[:3] == ["Name", "Cell", "Layers"]
    shown = [w.text() for w in panel.findChildren(QLabel)]
    assert "層数:" in shown and "Layers:" not in shown
    leaks = [t for w in panel.findChildren(QLabel) if not w.property(FILE_TEXT)
             for t in _english_in(w)]
    assert not leaks, leaks
    assert any(w.property(FILE_TEXT) for w in panel.findChildren(QLabel))  # the provenance


def test_built_in_labels_are_shown_translated_and_read_back(japanese: None, qtbot: Any) -> None:
    from rnnviz.ui.inspector import UnitInspector

    ws = Workspace()
    view = UnitInspector(ws)
    qtbot.addWidget(view)
    items = [view.label_box.itemText(i) for i in range(view.label_box.count())]
    assert "深さ" in items and "depth" not in items
    view.label_box.setCurrentText("行内の位置")
    assert view.label_spec() == "line-position"
    view.label_box.setCurrentText("regex:^the$")
    assert view.label_spec() == "regex:^the$"


def test_english_comes_back_after_the_japanese_run(qtbot: Any, demo_model: Any) -> None:
    """install('en') removes the catalogue: the same view is English again."""
    from rnnviz.ui.memory_view import MemoryView

    ws = Workspace()
    ws.text = SENTENCE
    ws.add_model(demo_model)
    assert i18n.install("ja")
    try:
        ja = MemoryView(ws)
        qtbot.addWidget(ja)
        assert ja.run_button.text() == "計算"
    finally:
        i18n.install("en")
    en = MemoryView(ws)
    qtbot.addWidget(en)
    assert en.run_button.text() == "Compute"


def test_the_english_what_if_line_is_the_sessions(qtbot: Any, demo_model: Any) -> None:
    """The UI's own description of an edit (translated) reads, in English, exactly as
    WhatIf.describe() of the session layer (used by the CLI and JSON)."""
    from rnnviz.engine.intervention import Intervention, LayerReset, UnitEdit
    from rnnviz.session.whatif import whatif_of
    from rnnviz.ui.whatif import WhatIfView

    ws = Workspace()
    ws.text = SENTENCE
    ws.add_model(demo_model)
    view = WhatIfView(ws)
    qtbot.addWidget(view)
    state = whatif_of(ws)
    state.set_edited_text("the dog sat on the mat .")
    state.set_intervention(Intervention(
        (UnitEdit(0, 3, "clamp", 0.5, "both", 2), UnitEdit(1, 5, "scale", 2.0, "h", 1, True),
         UnitEdit(1, 7, "ablate", 0.0, "c", 0)), (LayerReset(1, 4),)))
    assert view.describe() == state.describe()


def test_view_language_rebuilds_the_window_in_japanese(qtbot: Any, settings: Any,
                                                       demo_model: Any, boxes: Any) -> None:
    """View > Language > 日本語 replaces the window by one whose panels speak Japanese, on the
    same workspace; back to English the same way (each switch closes the old window)."""
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.memory_view import MemoryView

    ws = Workspace()
    ws.text = SENTENCE
    ws.add_model(demo_model)
    first = MainWindow(ws, settings=settings)
    try:
        ja = first.set_language("ja")
        assert ja.workspace is ws
        assert ja.findChild(MemoryView).run_button.text() == "計算"
        assert ja.settings.value(i18n.SETTING) == "ja"
        en = ja.set_language("en")
    finally:
        i18n.install("en")
    assert en.findChild(MemoryView).run_button.text() == "Compute"
    en.shutdown()
    en.close()


def _script() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "update_translations", REPO / "scripts" / "update_translations.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_script_fills_from_glossaries_and_refuses_clashes(tmp_path: Path) -> None:
    script = _script()
    ts = tmp_path / "t.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" '
                  'language="ja"><context><name>A</name><message><source>Compute</source>'
                  '<translation type="unfinished"/></message><message><source>Other {0}'
                  '</source><translation>old</translation></message></context></TS>',
                  encoding="utf-8")
    count, missing = script.fill(ts, {"Compute": "計算"})
    assert (count, missing) == (2, [("A", "Other {0}")])
    done = {s: (t.text, t.get("type")) for _, s, t in messages(ts)}
    assert done == {"Compute": ("計算", None), "Other {0}": (None, "unfinished")}
    folder = tmp_path / "ja"
    folder.mkdir()
    (folder / "a.json").write_text('{"Compute": "計算"}', encoding="utf-8")
    (folder / "b.json").write_text('{"Compute": "算出"}', encoding="utf-8")
    with pytest.raises(SystemExit, match="disagree"):
        script.load_glossaries(folder)
    assert script.check_placeholders({"at step {0}": "ステップ", "x {0}": "{0} x"}) == [
        "at step {0}"]


def test_tabs_show_japanese_titles_and_answer_to_the_english_ones(ja_window: Any) -> None:
    """Tab titles are PanelSpec.shown_title(); show_panel (--panel, session files) and the
    session's current tab keep the English PanelSpec.title."""
    from rnnviz.ui.panels import PANELS
    from rnnviz.ui.session_actions import current_tab

    win = ja_window
    shown = [win.tabs.tabText(i) for i in range(win.tabs.count())]
    assert shown[1:] == [p.shown_title() for p in PANELS]
    assert "もしも" in shown and "What if" not in shown and shown[0] == "ステップ実行"
    win.show_panel("What if")
    assert win.tabs.tabText(win.tabs.currentIndex()) == "もしも"
    assert current_tab(win) == "What if"
    win.show_panel("Step through")
    assert win.tabs.currentIndex() == 0 and current_tab(win) == "Step through"


def test_refusals_are_shown_in_japanese(japanese: None, qtbot: Any) -> None:
    """What if, Continue and Memory refuse a CBOW and a bidirectional model in one line: in the
    Japanese UI that line is Japanese (the model's name aside)."""
    import dataclasses

    from rnnviz.checkpoints.model import LoadedModel
    from rnnviz.engine.bidir_params import random_bidir
    from rnnviz.engine.cbow_params import random_cbow
    from rnnviz.session import refusal
    from rnnviz.session.memory import memory_refusal
    from rnnviz.session.whatif import continue_refusal
    from rnnviz.ui import refusal_text as shown
    from rnnviz.ui.whatif import WhatIfView

    assert shown.TEMPLATES == refusal.TEMPLATES and shown.KIND_NAMES == refusal.KIND_NAMES
    base = load_model(DEMO)
    v = len(base.vocab.tokens)
    cbow = LoadedModel(random_cbow(v, 8, 3, seed=1), base.vocab, "word", "rnnviz",
                       "random-cbow.safetensors", {"name": "random-cbow"})
    bi = LoadedModel(random_bidir("gru", v, 6, layers=1, seed=2), base.vocab, "word", "rnnviz",
                     "random-bigru.safetensors", {"name": "random-bigru"})
    back = dataclasses.replace(base, meta={**base.meta, "direction": "backward",
                                           "name": "demo-backward"})
    ws = Workspace()
    ws.text = "the cat sat on the mat"
    for m in (cbow, bi, back):
        ws.add_model(m)
    whatif = WhatIfView(ws)
    qtbot.addWidget(whatif)
    lines = [whatif.status.full_text(),
             shown.refusal_text(continue_refusal(ws.models[1])),  # type: ignore[arg-type]
             *(shown.refusal_text(memory_refusal(m)) for m in (cbow, bi))]  # type: ignore[arg-type]
    english = re.compile(rf"\b{WORD}(?:[ -]{WORD})+\b")
    for line, name, kind in zip(lines, ("random-cbow", "random-bigru", "random-cbow",
                                        "random-bigru"), ("CBOW", "双方向", "CBOW", "双方向"),
                                strict=True):
        assert name in line and kind in line, line
        rest = line.replace(name, " ")
        assert not english.findall(rest), line
        assert any("\u3040" <= ch <= "\u30ff" for ch in rest), line  # kana: translated
    assert memory_refusal(base) is None and memory_refusal(back) is None
    assert continue_refusal(ws.models[2]) is None  # a backward model writes before the text
