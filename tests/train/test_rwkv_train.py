"""The trainer's parallel (RWKV-4) and scan (RWKV-7) forward equal the engine's recurrent steps."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.cli import main as cli_main
from rnnviz.engine.rwkv import RwkvLM
from rnnviz.train.rwkv_model import RwkvModel, to_rwkv_params
from rnnviz.train.trainer import train
from tests.train.helpers import tiny_config, write_word_corpus


def _perturb(model: RwkvModel, seed: int) -> None:
    """Give every tensor (zero-initialised ones too) random values of realistic size."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("time_decay") or name.endswith("w0"):
                continue
            p.add_(torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.3)


@pytest.mark.parametrize("cell", ["rwkv4", "rwkv7"])
def test_parallel_forward_equals_recurrent_steps(cell: str) -> None:
    torch.manual_seed(0)
    model = RwkvModel(cell, vocab=23, hidden=16, layers=2, head_size=4).eval()
    _perturb(model, 1)
    engine = RwkvLM(to_rwkv_params(model))
    ids = torch.randint(0, 23, (12, 3))  # (T, B): two windows of 6, state carried
    with torch.no_grad():
        l1, h = model(ids[:6])
        l2, _ = model(ids[6:], h)
    parallel = torch.cat([l1, l2]).numpy()  # (T, B, V)
    for b in range(3):
        recs = engine.run([int(i) for i in ids[:, b]])
        steps = np.stack([r.logits for r in recs])
        scale = np.abs(steps).max()
        assert np.abs(parallel[:, b] - steps).max() / scale < 1e-5


@pytest.mark.parametrize("cell", ["rwkv4", "rwkv7"])
def test_trained_rwkv_perplexity_equals_rnnviz_eval(
        cell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The trainer measures test perplexity with the torch model (parallel/scan form); rnnviz
    eval steps the written file with the numpy engine (recurrent form): the same number."""
    data = write_word_corpus(tmp_path / "corpus")
    result = train(tiny_config(data, tmp_path, epochs=1, cell=cell, layers=2, lr=0.01,
                               optimizer="adam"))
    assert result is not None and result.test_ppl is not None
    assert native.read_meta(result.out)["cell"] == cell
    assert cli_main(["eval", result.out, "--data", str(data / "ptb.test.txt"), "--json", "-"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["perplexity"] == pytest.approx(result.test_ppl,
                                                                           rel=1e-4)
