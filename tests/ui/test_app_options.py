"""Command-line view options and several models, as a teacher scripts a figure: the window comes
up with exactly those settings."""

from __future__ import annotations

from typing import Any

from rnnviz import app
from rnnviz.ui.gradient import GradientView
from tests.ui.conftest import DEMO, REPO

GRU = REPO / "resources" / "models" / "ptb-gru.safetensors"


def test_view_options_reach_the_workspace_and_every_gradient_view(qtbot: Any) -> None:
    args = app.parse_args([str(DEMO), str(DEMO), "--text", "the cat sat on the mat",
                           "--step", "4", "--state", "f", "--truncate", "2", "--top-k", "3",
                           "--saliency", "--curves", "c,input", "--matrix", "c1",
                           "--trace-word", "dog"])
    window, error = app.build_window(args)
    qtbot.addWidget(window)
    assert error is None
    ws = window.workspace
    assert len(ws.models) == 2 and ws.cursor == 3
    assert (ws.state_kind, ws.truncate, ws.top_k, ws.saliency) == ("f", 2, 3, True)
    assert ws.traced is not None and ws.traced.word == "dog"
    views = window.findChildren(GradientView)
    assert len(views) == 2
    for v in views:
        assert v.c_check.isChecked() and v.input_check.isChecked()
        assert v.matrix_box.currentData() == "c0"
    window.shutdown()


def test_a_bad_option_is_one_line(qtbot: Any) -> None:
    args = app.parse_args([str(DEMO), "--curves", "q", "--text", "the cat"])
    window, error = app.build_window(args)
    qtbot.addWidget(window)
    assert error is not None and error.startswith("--curves") and "\n" not in error
    window.shutdown()


def test_class_names_and_pool_from_the_command_line_reach_the_window(
        qtbot: Any, tmp_path: Any) -> None:
    import numpy as np
    import torch

    from tests.checkpoints.kinds_torch import init, save, user_module, write_lines

    mod = user_module(tmp_path)
    net = init(mod.TextClassifier(6, 4, 5, 2, kind="GRU",  # type: ignore[attr-defined]
                                  bidirectional=True, pool="final-states"), seed=3)
    path = save(net, tmp_path / "clf.pt", whole=False)
    vocab = write_lines(tmp_path / "vocab.txt", ["the", "dog", "bit", "man", "<unk>", "<eos>"])
    args = app.parse_args([str(path), "--vocab", str(vocab), "--classes", "real, shuffled",
                           "--pool", "final-states", "--text", "the dog bit the man"])
    window, error = app.build_window(args)
    qtbot.addWidget(window)
    assert error is None
    s = window.workspace.models[0]
    assert s.model is not None and s.model.params.classes == ("real", "shuffled")
    assert s.model.params.pool == "final-states"
    assert s.load_options["classes"] == ["real", "shuffled"]
    ids = torch.tensor([[0, 1, 2, 0, 3]])
    with torch.no_grad():
        want = torch.softmax(net(ids)[0], -1).numpy()
    assert s.trace is not None
    np.testing.assert_allclose(s.trace.records[-1].probs, want, rtol=1e-5, atol=1e-6)
    window.shutdown()
