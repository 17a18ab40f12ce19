"""``rnnviz eval``: the book's eval_perplexity protocol, checked against a transcription of it
that runs torch's modules; ``--batch 1``; JSON; errors; the book's own trained model."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.checkpoints.vocab import Vocab
from rnnviz.cli import main
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import ModelParams, named_arrays, random_params
from tests.conftest import PTB, need

WORDS = ("<eos>", "<unk>", "the", "cat", "sat", "on", "a", "mat", "dog", "ran")


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path, ModelParams]:
    """A native LSTM over WORDS and a 9-line corpus (with one out-of-vocabulary word)."""
    params = random_params("lstm", len(WORDS), 6, layers=2, seed=3, scale=0.8)
    ckpt = tmp_path / "tiny.safetensors"
    native.save(ckpt, params, Vocab(WORDS), "word")
    rng = np.random.default_rng(0)
    lines = [" ".join(rng.choice(WORDS[2:], size=rng.integers(3, 9))) for _ in range(9)]
    lines[4] += " zebra"
    data = tmp_path / "corpus.txt"
    data.write_text("".join(f" {ln} \n" for ln in lines))
    return ckpt, data, params


def _corpus_ids(data: Path) -> list[int]:
    index = {w: i for i, w in enumerate(WORDS)}
    text = data.read_text().replace("\n", " <eos> ")  # the book's ptb.py reading
    return [index.get(w, 1) for w in text.split()]


class _TorchLM:
    """nn.Embedding -> nn.LSTM -> nn.Linear with state carried between calls (the book's
    stateful TimeLSTM), returning the book's loss: mean NLL over the window."""

    def __init__(self, p: ModelParams) -> None:
        arrays = {k: torch.from_numpy(v.astype(np.float64)) for k, v in named_arrays(p).items()}
        self.lstm = torch.nn.LSTM(p.embedding_size, p.hidden_size, p.num_layers,
                                  batch_first=True).double()
        self.lstm.load_state_dict({k[4:]: v for k, v in arrays.items() if k.startswith("rnn.")})
        self.emb, self.w, self.b = (arrays["encoder.weight"], arrays["decoder.weight"],
                                    arrays["decoder.bias"])
        self.state: tuple[torch.Tensor, torch.Tensor] | None = None

    def forward(self, xs: np.ndarray, ts: np.ndarray) -> float:
        with torch.no_grad():
            out, self.state = self.lstm(self.emb[torch.from_numpy(xs)], self.state)
            logp = torch.log_softmax(out @ self.w.T + self.b, -1)
            picked = logp.gather(-1, torch.from_numpy(ts)[..., None])
        return float(-picked.mean())


def book_eval_perplexity(model: _TorchLM, corpus: list[int], batch_size: int,
                         time_size: int) -> float:
    """common/util.py eval_perplexity, transcribed."""
    corpus_size = len(corpus)
    total_loss = 0.0
    max_iters = (corpus_size - 1) // (batch_size * time_size)
    jump = (corpus_size - 1) // batch_size
    for iters in range(max_iters):
        xs = np.zeros((batch_size, time_size), dtype=np.int64)
        ts = np.zeros((batch_size, time_size), dtype=np.int64)
        time_offset = iters * time_size
        offsets = [time_offset + (i * jump) for i in range(batch_size)]
        for t in range(time_size):
            for i, offset in enumerate(offsets):
                xs[i, t] = corpus[(offset + t) % corpus_size]
                ts[i, t] = corpus[(offset + t + 1) % corpus_size]
        total_loss += model.forward(xs, ts)
    return math.exp(total_loss / max_iters)


@pytest.mark.parametrize(("batch", "bptt"), [(3, 4), (2, 7), (5, 1)])
def test_book_protocol(tiny: tuple[Path, Path, ModelParams], tmp_path: Path, batch: int,
                       bptt: int, capsys: pytest.CaptureFixture[str]) -> None:
    ckpt, data, params = tiny
    out = tmp_path / "r.json"
    args = ["eval", str(ckpt), "--data", str(data), "--batch", str(batch), "--bptt", str(bptt),
            "--json", str(out)]
    assert main(args) == 0
    report = json.loads(out.read_text())
    ids = _corpus_ids(data)
    want = book_eval_perplexity(_TorchLM(params), ids, batch, bptt)
    assert report["perplexity"] == pytest.approx(want, rel=1e-5)
    assert report["tokens"] == (len(ids) - 1) // (batch * bptt) * batch * bptt
    assert report["seconds"] >= 0
    err = capsys.readouterr().err
    assert "1 tokens of" in err and "<unk>" in err  # the OOV note; no progress bar off a terminal


def test_batch_1_is_one_stream_over_every_token(tiny: tuple[Path, Path, ModelParams],
                                                tmp_path: Path) -> None:
    ckpt, data, params = tiny
    out = tmp_path / "r.json"
    assert main(["eval", str(ckpt), "--data", str(data), "--batch", "1", "--bptt", "5",
                 "--json", str(out)]) == 0
    ids = _corpus_ids(data)
    recs = RNNLM(params).run(ids[:-1])
    nll = -np.mean([math.log(r.probs[t]) for r, t in zip(recs, ids[1:], strict=True)])
    report = json.loads(out.read_text())
    assert report["tokens"] == len(ids) - 1
    assert report["perplexity"] == pytest.approx(math.exp(nll), rel=1e-5)


def test_max_tokens(tiny: tuple[Path, Path, ModelParams], tmp_path: Path) -> None:
    ckpt, data, _ = tiny
    out = tmp_path / "r.json"
    assert main(["eval", str(ckpt), "--data", str(data), "--batch", "1", "--max-tokens", "20",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["tokens"] == 19


@pytest.mark.parametrize("extra", [["--batch", "50", "--bptt", "50"], ["--batch", "0"],
                                   ["--max-tokens", "1"]])
def test_bad_requests_exit_2(tiny: tuple[Path, Path, ModelParams], extra: list[str],
                             capsys: pytest.CaptureFixture[str]) -> None:
    ckpt, data, _ = tiny
    assert main(["eval", str(ckpt), "--data", str(data), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rnnviz: error: ") and err.count("\n") == 1


def test_missing_data_exit_2(tiny: tuple[Path, Path, ModelParams], tmp_path: Path) -> None:
    ckpt, _, _ = tiny
    assert main(["eval", str(ckpt), "--data", str(tmp_path / "nope.txt")]) == 2


@pytest.mark.slow
def test_book_rnnlm_ptb_test_perplexity(book_rnnlm: Path, tmp_path: Path) -> None:
    """The book's trained ch06/Rnnlm.pkl on ptb.test.txt: 136.08 (the book's protocol).

    Run as ``python -m rnnviz`` in a fresh process: the real entry point, and numpy's BLAS
    there is not slowed by the torch that other tests imported into this one (about 3x here).
    """
    test_txt = need(PTB / "ptb.test.txt")
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "rnnviz", "eval", str(book_rnnlm),
                           "--data", str(test_txt), "--json", str(out)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())
    assert report["perplexity"] == pytest.approx(136.08, abs=0.1)
    assert report["tokens"] == 82250
    assert "perplexity 136.08" in proc.stdout


def test_max_tokens_counts_oov_over_the_tokens_used(tiny: tuple[Path, Path, ModelParams],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    ckpt, data, _ = tiny
    words = data.read_text().replace("\n", " <eos> ").split()
    zebra = words.index("zebra")
    for n in (zebra, zebra + 1, len(words)):  # before, just after, the whole file
        assert main(["eval", str(ckpt), "--data", str(data), "--batch", "1",
                     "--max-tokens", str(n)]) == 0
        err = capsys.readouterr().err
        want = sum(w not in WORDS for w in words[:n])
        used = min(n, len(words))
        if want:
            assert f"{want} tokens of the {used} used" in err
        else:
            assert "not in the vocabulary" not in err
