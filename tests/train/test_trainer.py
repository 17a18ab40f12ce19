"""The trainer: it learns, resumes exactly, and writes models the engine reproduces."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnviz.checkpoints import native
from rnnviz.cli import main as cli_main
from rnnviz.engine.network import RNNLM
from rnnviz.engine.params import named_arrays
from rnnviz.train.corpus import load_corpus
from rnnviz.train.model import RNNModel, to_params
from rnnviz.train.trainer import TrainError, batchify, train, window_starts
from tests.conftest import REPO
from tests.train.helpers import tiny_config, write_word_corpus


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_word_corpus(tmp_path_factory.mktemp("corpus") / "c")


def arrays(path: Path | str) -> dict[str, np.ndarray]:
    return named_arrays(native.load(path).params)


def unigram_entropy(ids: np.ndarray) -> float:
    p = np.bincount(ids) / len(ids)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def test_batchify_cuts_rows_and_splits_them_across_ranks() -> None:
    ids = np.arange(23)
    full = batchify(ids, 4)
    assert full.shape == (5, 4) and full[:, 1].tolist() == [5, 6, 7, 8, 9]
    assert torch.equal(torch.cat([batchify(ids, 4, r, 2) for r in (0, 1)], dim=1), full)
    with pytest.raises(TrainError, match="divisible"):
        batchify(ids, 3, 0, 2)


def test_training_lowers_loss_below_a_quarter_of_unigram_entropy(
        corpus_dir: Path, tmp_path: Path) -> None:
    # The next word is determined by the word-and-position cycle, so a model that learns it
    # beats the best context-free predictor (unigram entropy ~ log V) by far.
    result = train(tiny_config(corpus_dir, tmp_path, epochs=3, optimizer="adam", lr=0.02))
    assert result is not None
    bound = 0.25 * unigram_entropy(load_corpus(corpus_dir).train)
    hist = result.meta["history"]
    assert result.meta["valid_loss"] < bound
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert result.meta["valid_ppl"] == pytest.approx(math.exp(result.meta["valid_loss"]))


def test_interrupted_and_resumed_run_equals_uninterrupted(corpus_dir: Path, tmp_path: Path) -> None:
    kw = dict(optimizer="adam", lr=0.01, dropout=0.3, cell="gru", layers=2)
    straight = train(tiny_config(corpus_dir, tmp_path / "a", **kw))
    assert straight is not None
    cfg_b = tiny_config(corpus_dir, tmp_path / "b", **kw)
    n_windows = len(window_starts(len(batchify(load_corpus(corpus_dir).train, 4)), 8))
    assert train(replace(cfg_b, stop_after=7)) is None
    # the second piece crosses the epoch boundary (validation, lr schedule, best model)
    assert train(replace(cfg_b, stop_after=n_windows)) is None
    resumed = train(cfg_b)
    assert resumed is not None
    a, b = arrays(straight.out), arrays(resumed.out)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert ([h["valid_loss"] for h in resumed.meta["history"]]
            == [h["valid_loss"] for h in straight.meta["history"]])


def test_changed_settings_do_not_resume_a_run(corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, tmp_path, stop_after=3)
    assert train(cfg) is None
    other = replace(cfg, hidden=8, stop_after=None)
    with pytest.raises(TrainError, match="other settings"):
        train(other)


def test_a_run_begun_before_a_setting_existed_resumes_at_its_default(
        corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, tmp_path, stop_after=3)
    assert train(cfg) is None
    path = cfg.run_path() / "state-rank0.pt"
    state = torch.load(path, weights_only=True)
    del state["hyper"]["reverse"]  # as written before --reverse existed
    torch.save(state, path)
    assert train(replace(cfg, stop_after=None)) is not None
    torch.save({**state, "hyper": {**state["hyper"], "reverse": True}}, path)
    with pytest.raises(TrainError, match="other settings"):
        train(replace(cfg, stop_after=None))


def test_a_resumed_run_may_change_its_schedule_and_records_it(
        corpus_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(corpus_dir, tmp_path, epochs=1)
    assert train(cfg) is not None
    result = train(replace(cfg, epochs=3, anneal=2.0, decay_after=2))
    assert result is not None
    assert [(s["from_epoch"], s["epochs"], s["anneal"]) for s in result.meta["schedule"]] == [
        (1, 1, 4.0), (2, 3, 2.0)]
    assert [h["lr"] for h in result.meta["history"]] == [5.0, 5.0, 2.5]
    assert native.load(result.out).meta["epochs"] == 3


def _independent_ppl(model: RNNModel, ids: np.ndarray, batch: int = 10, bptt: int = 35) -> float:
    """The book's eval_perplexity, written out loop by loop."""
    n = len(ids)
    iters, jump = (n - 1) // (batch * bptt), (n - 1) // batch
    model.eval()
    hidden, losses = None, []
    with torch.no_grad():
        for it in range(iters):
            xs = np.zeros((bptt, batch), np.int64)
            ts = np.zeros((bptt, batch), np.int64)
            for t in range(bptt):
                for i in range(batch):
                    xs[t, i] = ids[(i * jump + it * bptt + t) % n]
                    ts[t, i] = ids[(i * jump + it * bptt + t + 1) % n]
            logits, hidden = model(torch.from_numpy(xs), hidden)
            logp = torch.log_softmax(logits.double(), dim=-1).numpy()
            losses.append(-np.take_along_axis(logp, ts[..., None], axis=-1).mean())
    return math.exp(float(np.mean(losses)))


def _torch_model(path: str) -> RNNModel:
    loaded = native.load(path)
    p = loaded.params
    m = RNNModel(p.cell, p.vocab_size, p.hidden_size, p.num_layers, p.embedding_size)
    m.load_state_dict({k: torch.from_numpy(v) for k, v in named_arrays(p).items()})
    return m


def test_reported_perplexity_is_exp_mean_nll_and_matches_rnnviz_eval(
        corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = train(tiny_config(corpus_dir, tmp_path, epochs=1, cell="rnn_tanh", lr=1.0))
    assert result is not None and result.test_ppl is not None
    corpus = load_corpus(corpus_dir)
    model = _torch_model(result.out)
    assert result.valid_ppl == pytest.approx(_independent_ppl(model, corpus.valid), rel=1e-5)
    assert corpus.test is not None
    assert result.test_ppl == pytest.approx(_independent_ppl(model, corpus.test), rel=1e-5)
    code = cli_main(["eval", result.out, "--data", str(corpus_dir / "ptb.test.txt"),
                     "--json", "-"])
    assert code == 0
    out = capsys.readouterr().out
    ppl = json.loads(out[out.index("{"):])["perplexity"]
    assert ppl == pytest.approx(result.test_ppl, rel=1e-4)


@pytest.mark.parametrize(("cell", "layers", "tied"), [
    ("lstm", 2, True), ("gru", 2, False), ("rnn_tanh", 1, True), ("rnn_relu", 2, False)])
def test_written_model_reloads_and_the_engine_matches_torch(
        tmp_path: Path, cell: str, layers: int, tied: bool) -> None:
    torch.manual_seed(0)
    model = RNNModel(cell, 30, 12, layers, None if tied else 9, 0.0, tied).eval()
    from rnnviz.checkpoints.vocab import Vocab

    path = tmp_path / "m.safetensors"
    native.save(path, to_params(model), Vocab(tuple(f"w{i}" for i in range(30))), "word")
    loaded = native.load(path)
    assert loaded.params.tied == tied
    ids = np.random.default_rng(1).integers(0, 30, size=(3, 11))
    logits, _ = RNNLM(loaded.params).forward(ids)
    with torch.no_grad():
        ref, _ = model(torch.from_numpy(ids.T.copy()))
    np.testing.assert_allclose(logits, ref.numpy().transpose(1, 0, 2), rtol=1e-4, atol=1e-5)


def test_cli_writes_provenance(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.safetensors"
    code = cli_main(["train", "--data", str(corpus_dir), "--out", str(out), "--layers", "1",
                     "--hidden", "8", "--bptt", "8", "--batch", "4", "--epochs", "1",
                     "--tied", "--run-dir", str(tmp_path / "run"), "--no-progress"])
    assert code == 0
    meta = native.read_meta(out)
    assert meta["data"]["ptb.train.txt"] == load_corpus(corpus_dir).files[
        str(corpus_dir / "ptb.train.txt")]
    assert meta["training"]["tied"] is True and meta["seed"] == 1111
    assert meta["torch_version"] == torch.__version__ and meta["epochs"] == 1
    assert meta["test_ppl"] > 1 and meta["wall_time_s"] >= 0
    assert meta["command"].startswith("python -m rnnviz train --data")
    assert "--tied" in meta["command"]
    assert native.load(out).params.tied


def test_cli_reports_bad_data_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli_main(["train", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "m")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


def test_torchrun_two_processes_equal_one_process(corpus_dir: Path, tmp_path: Path) -> None:
    flags = ["--data", str(corpus_dir), "--layers", "1", "--hidden", "16", "--bptt", "8",
             "--batch", "4", "--epochs", "1", "--dropout", "0", "--lr", "2", "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    ddp_out = tmp_path / "ddp.safetensors"
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "rnnviz", "train", *flags, "--out", str(ddp_out),
         "--run-dir", str(tmp_path / "ddp")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    one_out = tmp_path / "one.safetensors"
    assert cli_main(["train", *flags, "--out", str(one_out),
                     "--run-dir", str(tmp_path / "one")]) == 0
    assert native.read_meta(ddp_out)["training"]["world_size"] == 2
    a, b = arrays(ddp_out), arrays(one_out)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-4, atol=1e-5, err_msg=k)
