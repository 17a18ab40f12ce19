"""The bundled CBOW and word-order classifiers meet the figures their files report, measured
again on the numpy engine (PTB from ../shared; the order task rebuilt with its seed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.checkpoints.bundled import resource_path
from rnnviz.engine.classifier_params import ClassifierParams
from rnnviz.engine.factory import build_engine
from tests.conftest import PTB, need

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_order_task.py"


def ptb_dir() -> Path:
    return need(PTB / "ptb.train.txt").parent


def _bundled(name: str) -> Path:
    path = resource_path("models", f"{name}.safetensors")
    if not path.is_file():
        pytest.skip(f"{path.name} is not bundled in this checkout")
    return path


@pytest.fixture(scope="module")
def order_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("make_order_task", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path_factory.mktemp("ptb-order")
    assert mod.main(["--ptb", str(ptb_dir()), "--out", str(out), "--seed", "0"]) == 0
    return out


def test_ptb_cbow_meets_its_test_perplexity() -> None:
    from rnnviz.cli.eval import corpus_ids, perplexity

    model = native.load(_bundled("ptb-cbow"))
    ids, _ = corpus_ids(str(ptb_dir() / "ptb.test.txt"), model)
    ppl, _ = perplexity(model, ids, 10, 35)
    assert ppl == pytest.approx(model.meta["test_ppl"], rel=1e-4)
    assert ppl > 150  # an order-blind 5-word window is far from the RNNs' ~100


@pytest.mark.parametrize("name", ["ptb-order-bigru", "ptb-order-gru"])
def test_order_classifiers_meet_their_test_accuracy(name: str, order_task: Path) -> None:
    from rnnviz.cli.eval import accuracy_and_loss, class_logits
    from rnnviz.train.classify import load_labeled

    model = native.load(_bundled(name))
    p = model.params
    assert isinstance(p, ClassifierParams) and p.classes == ("real", "shuffled")
    data = load_labeled(order_task)
    assert data.vocab == model.vocab  # the same seeded task the model was trained on
    test = data.test
    assert test is not None and len(test) == sum(model.meta["class_counts"]["test"].values())
    # the whole test split through torch (the file loaded by name into the trainer's module)
    from safetensors.torch import load_file

    from rnnviz.train.classify import ClassifierModel, evaluate

    torch_model = ClassifierModel(p.cell, p.vocab_size, p.hidden_size, 2, p.num_layers,
                                  p.embedding_size, bidirectional=p.bidirectional, pool=p.pool)
    torch_model.load_state_dict(load_file(str(model.path)), strict=True)
    loss, acc = evaluate(torch_model, test)
    assert acc == pytest.approx(model.meta["test_accuracy"], abs=0.5 / len(test))
    assert loss == pytest.approx(model.meta["test_loss"], rel=1e-4)
    assert acc > 0.8 and float(np.mean(test.labels)) == 0.5
    # and the numpy engine agrees sentence by sentence (every 8th, to stay quick)
    part = test.ids[::8]
    logits = class_logits(build_engine(p), part)
    got_acc, _ = accuracy_and_loss(logits, test.labels[::8])
    with torch.no_grad():
        want = np.stack([torch_model(torch.from_numpy(s)[:, None], torch.tensor([len(s)]))[0]
                         .numpy() for s in part])
    np.testing.assert_allclose(logits, want, rtol=1e-4, atol=1e-4)
    assert got_acc == pytest.approx(float((want.argmax(1) == test.labels[::8]).mean()))


def test_ptb_lstm_backward_meets_its_test_perplexity_read_backward_only() -> None:
    from dataclasses import replace

    from rnnviz.cli.eval import corpus_ids, perplexity

    model = native.load(_bundled("ptb-lstm-backward"))
    assert model.direction == "backward"
    test = str(ptb_dir() / "ptb.test.txt")
    ids, _ = corpus_ids(test, model)
    ppl, n = perplexity(model, ids, 10, 35)
    assert n == 82250 and ppl == pytest.approx(model.meta["test_ppl"], rel=1e-4)
    forward = replace(model, meta={**model.meta, "direction": "forward"})
    head, _ = corpus_ids(test, forward, limit=7000)
    assert perplexity(forward, head, 10, 35)[0] > 10 * ppl  # read the wrong way it is lost
