"""Opening files from the window: bad and hostile files keep the old model; every supported
format loads (asking for a vocabulary when the file has none); drag-and-drop; recent files."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from rnnviz.checkpoints.loader import VocabOptions
from rnnviz.ui import open_dialog
from tests.conftest import BOOK_RNNLM
from tests.ui.conftest import DEMO


def open_and_wait(qtbot: Any, win: Any, path: Path | str) -> bool:
    with qtbot.waitSignal(win.open_finished, timeout=30000) as blocker:
        win.open_file(str(path))
    return bool(blocker.args[0])


class Hostile:
    """Unpickling this would create a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def bad_files(tmp_path: Path) -> dict[str, Path]:
    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.pt"
    noise.write_bytes(np.random.default_rng(0).bytes(4096))
    hostile = tmp_path / "hostile.pkl"
    hostile.write_bytes(pickle.dumps(Hostile(tmp_path / "pwned")))
    zipped = tmp_path / "fake.pth"
    zipped.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return {"empty": empty, "noise": noise, "hostile": hostile, "zip": zipped}


@pytest.mark.parametrize("kind", ["empty", "noise", "hostile", "zip"])
def test_bad_file_shows_one_line_and_keeps_the_model(window: Any, qtbot: Any, boxes: Any,
                                                     tmp_path: Path, kind: str) -> None:
    s = window.session
    model, trace = s.model, s.trace
    path = bad_files(tmp_path)[kind]
    assert not open_and_wait(qtbot, window, path)
    assert len(boxes.calls) == 1
    box_kind, title, text = boxes.calls[0]
    assert box_kind == "warning" and title == "Cannot open model"
    assert text.startswith(path.name + ": ") and "\n" not in text and "Traceback" not in text
    assert s.model is model and s.trace is trace
    assert "demo LSTM" in window.windowTitle()
    assert not (tmp_path / "pwned").exists()


def test_missing_file(window: Any, qtbot: Any, boxes: Any, tmp_path: Path) -> None:
    assert not open_and_wait(qtbot, window, tmp_path / "nope.safetensors")
    assert "no such file" in boxes.calls[0][2]


def test_native_file_opens_and_is_remembered(window: Any, qtbot: Any, tmp_path: Path,
                                             boxes: Any, settings: Any) -> None:
    copy = tmp_path / "copy.safetensors"
    shutil.copy(DEMO, copy)
    assert open_and_wait(qtbot, window, copy)
    assert window.session.model.path == str(copy) and not boxes.calls
    assert window.session.trace is not None and window.session.cursor == 0
    assert window.panel.value("File") == str(copy)
    assert window.recent()[0]["path"] == str(copy.resolve())
    actions = [a for a in window.recent_menu.actions() if a.text().startswith("&1")]
    assert actions and "copy.safetensors" in actions[0].text()


def test_recent_files_persist_and_reopen(window: Any, qtbot: Any, tmp_path: Path,
                                         settings: Any) -> None:
    from rnnviz.session import Session
    from rnnviz.ui.main_window import MainWindow

    copy = tmp_path / "again.safetensors"
    shutil.copy(DEMO, copy)
    assert open_and_wait(qtbot, window, copy)
    other = MainWindow(Session(), settings=settings)
    qtbot.addWidget(other)
    assert other.recent()[0]["path"] == str(copy.resolve())
    with qtbot.waitSignal(other.open_finished, timeout=30000):
        other.open_recent(other.recent()[0])
    assert other.session.model.path == str(copy.resolve())
    other._clear_recent()
    assert other.recent() == []
    texts = [a.text() for a in other.recent_menu.actions() if not a.isSeparator()]
    assert not any(t.startswith("&") for t in texts)  # only the bundled models are left
    other.shutdown()


def test_recent_lists_the_startup_model_and_the_bundled_ones(window: Any) -> None:
    from rnnviz.ui.models_menu import bundled_models

    assert window.recent()[0]["path"] == str(DEMO.resolve())  # loaded at startup
    texts = [a.text() for a in window.recent_menu.actions()]
    assert any("demo-lstm.safetensors" in t for t in texts if t.startswith("&1"))
    others = [p.stem for p in bundled_models() if p.resolve() != DEMO.resolve()]
    assert others and all(stem in texts for stem in others)


def test_drag_and_drop_opens_the_file(window: Any, qtbot: Any, tmp_path: Path) -> None:
    copy = tmp_path / "dropped.safetensors"
    shutil.copy(DEMO, copy)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy))])
    pos = QPointF(window.rect().center())
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.open_finished, timeout=30000) as blocker:
        QApplication.sendEvent(window, drop)
    assert blocker.args == [True] and window.session.model.path == str(copy)


def test_drag_of_text_is_refused(window: Any) -> None:
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


# ---- files that need a vocabulary -----------------------------------------------------------

class Asker:
    """Stands in for the vocabulary dialog: answers from a list, records the problems shown."""

    def __init__(self, answers: list[VocabOptions | None]) -> None:
        self.answers = list(answers)
        self.problems: list[str] = []

    def __call__(self, parent: object, path: str, problem: str,
                 previous: VocabOptions | None = None) -> VocabOptions | None:
        self.problems.append(problem)
        return self.answers.pop(0) if self.answers else None


def torch_state_dict(tmp_path: Path, v: int = 23) -> Path:
    torch = pytest.importorskip("torch", reason="PyTorch files need torch to be written")
    torch.manual_seed(0)
    enc, rnn, dec = torch.nn.Embedding(v, 6), torch.nn.LSTM(6, 6, 2), torch.nn.Linear(6, v)
    sd = {**{f"encoder.{k}": t for k, t in enc.state_dict().items()},
          **{f"rnn.{k}": t for k, t in rnn.state_dict().items()},
          **{f"decoder.{k}": t for k, t in dec.state_dict().items()}}
    path = tmp_path / "lm.pt"
    torch.save(sd, path)
    return path


def vocab_file(path: Path, n: int) -> Path:
    path.write_text("".join(f"w{i}\n" for i in range(n - 2)) + "<unk>\n<eos>\n")
    return path


def test_pytorch_file_asks_for_a_vocabulary(window: Any, qtbot: Any, tmp_path: Path,
                                            boxes: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pt = torch_state_dict(tmp_path)
    ask = Asker([VocabOptions(vocab_file=str(vocab_file(tmp_path / "v.txt", 23)))])
    monkeypatch.setattr(open_dialog, "ask_vocabulary", ask)
    assert open_and_wait(qtbot, window, pt)
    assert len(ask.problems) == 1 and "no vocabulary" in ask.problems[0]
    model = window.session.model
    assert model.format == "pytorch-state-dict" and model.params.cell == "lstm"
    assert window.session.trace is not None and not boxes.calls
    assert window.recent()[0]["vocab_file"] == str(tmp_path / "v.txt")


def test_wrong_vocabulary_asks_again_then_keeps_the_old_model(
        window: Any, qtbot: Any, tmp_path: Path, boxes: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pt = torch_state_dict(tmp_path)
    model = window.session.model
    ask = Asker([VocabOptions(vocab_file=str(vocab_file(tmp_path / "small.txt", 7))), None])
    monkeypatch.setattr(open_dialog, "ask_vocabulary", ask)
    assert not open_and_wait(qtbot, window, pt)
    assert len(ask.problems) == 2 and "size mismatch" in ask.problems[1]
    assert window.session.model is model and not boxes.calls


def test_books_pickle_with_a_vocabulary(window: Any, qtbot: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch", reason="tests.checkpoints.helpers imports torch")
    from tests.checkpoints.helpers import book_params, save_book

    pkl = save_book(book_params("Rnnlm", v=29), tmp_path / "Rnnlm.pkl")
    ask = Asker([VocabOptions(vocab_file=str(vocab_file(tmp_path / "v.txt", 29)))])
    monkeypatch.setattr(open_dialog, "ask_vocabulary", ask)
    assert open_and_wait(qtbot, window, pkl)
    assert window.session.model.format == "dlfs2" and len(ask.problems) == 1


def test_books_ptb_pickle_uses_the_bundled_vocabulary(window: Any, qtbot: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if not BOOK_RNNLM.exists():
        pytest.skip(f"needs {BOOK_RNNLM} (../shared is absent here)")
    monkeypatch.setattr(open_dialog, "ask_vocabulary", Asker([]))
    assert open_and_wait(qtbot, window, BOOK_RNNLM)
    model = window.session.model
    assert model.format == "dlfs2" and model.params.vocab_size == 10000
    assert any("PTB" in n for n in model.notices)
    assert "PTB" in window.panel.notices.text()


def test_vocab_dialog_builds_options(qtbot: Any, tmp_path: Path) -> None:
    dlg = open_dialog.VocabDialog(str(tmp_path / "m.pt"), "the file has no vocabulary "
                                  "(10000 tokens)", ptb_possible=True, pytorch=True)
    qtbot.addWidget(dlg)
    assert dlg.options() == VocabOptions()
    dlg.file_edit.setText("/x/vocab.txt")
    dlg.r_file.setChecked(True)
    dlg.cell.setCurrentIndex(2)
    assert dlg.options() == VocabOptions(vocab_file="/x/vocab.txt", cell="rnn_relu")
    dlg.corpus_edit.setText("/a.txt ; /b.txt")
    dlg.r_corpus.setChecked(True)
    assert dlg.options().vocab_corpus == ("/a.txt", "/b.txt")
    assert open_dialog.needs_vocabulary("vocabulary size mismatch: x")
    assert not open_dialog.needs_vocabulary("corrupt PyTorch file")


def test_vocab_dialog_tokenizer_choice_opens_a_char_rnn_file(qtbot: Any, tmp_path: Path) -> None:
    import torch

    from rnnviz.checkpoints.loader import load_model
    from rnnviz.engine.params import named_arrays, random_params

    dlg = open_dialog.VocabDialog(str(tmp_path / "m.pt"), "the file has no vocabulary "
                                  "(100 tokens)", ptb_possible=False, pytorch=True)
    qtbot.addWidget(dlg)
    dlg.tokenizer.setCurrentIndex(dlg.tokenizer.findData("char"))
    opts = dlg.options()
    assert opts == VocabOptions(tokenizer="char")
    path = tmp_path / "charrnn.pt"
    p = random_params("gru", 100, 8, layers=1, seed=4)
    torch.save({k: torch.from_numpy(v) for k, v in named_arrays(p).items()}, path)
    model = load_model(path, opts)
    assert model.tokenizer == "char" and len(model.vocab) == 100


def test_switching_models_keeps_the_step(window: Any, qtbot: Any, tmp_path: Path) -> None:
    copy = tmp_path / "same.safetensors"
    shutil.copy(DEMO, copy)
    window.session.set_cursor(6)
    assert open_and_wait(qtbot, window, copy)
    assert window.session.model.path == str(copy) and window.session.cursor == 6


def test_opening_runs_the_text_on_the_loading_thread(window: Any, qtbot: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from rnnviz.session import Workspace

    threads: list[str] = []
    original = Workspace.make_run

    def spy(self: Any, *args: Any, **kw: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(self, *args, **kw)

    monkeypatch.setattr(Workspace, "make_run", spy)
    copy = tmp_path / "threaded.safetensors"
    shutil.copy(DEMO, copy)
    assert open_and_wait(qtbot, window, copy)
    assert window.session.model.path == str(copy)
    assert threads and threading.main_thread().name not in threads


def test_the_dialog_names_a_classifiers_classes_and_its_pooling(
        window: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rnnviz.ui.open_dialog import VocabDialog

    dlg = VocabDialog(str(tmp_path / "clf.pt"), "no vocabulary", ptb_possible=False, pytorch=True)
    qtbot.addWidget(dlg)
    vocab = vocab_file(tmp_path / "v.txt", 9)
    dlg.file_edit.setText(str(vocab))
    dlg.r_file.setChecked(True)
    dlg.classes_edit.setText("neg, pos ,")
    dlg.pool.setCurrentIndex(dlg.pool.findData("final-states"))
    opts = dlg.options()
    assert opts.classes == ("neg", "pos") and opts.pool == "final-states"
    assert opts.vocab_file == str(vocab)
    torch = pytest.importorskip("torch", reason="PyTorch files need torch to be written")
    torch.manual_seed(1)
    emb, rnn, fc = torch.nn.Embedding(9, 4), torch.nn.GRU(4, 5, bidirectional=True), \
        torch.nn.Linear(10, 2)
    sd = {**{f"embedding.{k}": t for k, t in emb.state_dict().items()},
          **{f"rnn.{k}": t for k, t in rnn.state_dict().items()},
          **{f"fc.{k}": t for k, t in fc.state_dict().items()}}
    pt = tmp_path / "clf.pt"
    torch.save(sd, pt)
    monkeypatch.setattr(open_dialog, "ask_vocabulary", Asker([opts]))
    assert open_and_wait(qtbot, window, pt)
    params = window.session.model.params
    assert params.classes == ("neg", "pos") and params.pool == "final-states"
    assert window.recent()[0]["classes"] == ["neg", "pos"]
