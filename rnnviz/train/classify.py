"""Many-to-one classifiers (the tutorials' SampleRNN): reading labelled sentences, the torch
model, and a resumable training loop that writes ClassifierParams in the native format.

Data: a directory with ``train.txt``, ``valid.txt`` and optionally ``test.txt``; each line is
``label<TAB>sentence``. A sentence is read as its whitespace words then ``<eos>`` (as the word
corpora are). The class names are the sorted labels of the training file; the vocabulary is
every word by first appearance over train, valid, test.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnviz.checkpoints.vocab import EOS, Vocab
from rnnviz.engine.classifier_params import POOLS, ClassifierParams
from rnnviz.train.corpus import CorpusError, sha256_file
from rnnviz.train.trainer import (
    SCHEDULE,
    STATE_VERSION,
    Progress,
    TrainConfig,
    TrainError,
    TrainResult,
    _atomic_save,
    _state_file,
    build_optimizer,
)

SPLIT_NAMES = ("train", "valid", "test")
EVAL_BATCH = 256


@dataclass(frozen=True)
class Examples:
    """One split: sentences as id arrays (each (T_i,), ``<eos>`` last) and labels (N,)."""

    ids: list[np.ndarray]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class LabeledData:
    """The vocabulary, the class names (sorted) and the splits (test may be None)."""

    vocab: Vocab
    classes: tuple[str, ...]
    train: Examples
    valid: Examples
    test: Examples | None
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256


def read_labeled(path: Path) -> list[tuple[str, list[str]]]:
    """``label<TAB>sentence`` lines -> (label, words + [<eos>]); blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"cannot read {path}: {e}") from None
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, tab, sentence = line.partition("\t")
        if not tab or not label.strip() or not sentence.split():
            raise CorpusError(f"{path}:{n}: expected 'label<TAB>sentence'")
        rows.append((label.strip(), [*sentence.split(), EOS]))
    if not rows:
        raise CorpusError(f"{path}: no labelled sentences")
    return rows


def load_labeled(directory: str | Path) -> LabeledData:
    """Read {train,valid[,test]}.txt of a directory (see the module docstring)."""
    d = Path(directory)
    if not d.is_dir():
        raise CorpusError(f"{directory}: --task classify needs a directory with train.txt, "
                          "valid.txt[, test.txt] of 'label<TAB>sentence' lines")
    files = {s: d / f"{s}.txt" for s in SPLIT_NAMES if (d / f"{s}.txt").is_file()}
    missing = [s for s in ("train", "valid") if s not in files]
    if missing:
        raise CorpusError(f"{directory}: no {' or '.join(f'{s}.txt' for s in missing)}")
    rows = {s: read_labeled(f) for s, f in files.items()}
    classes = tuple(sorted({label for label, _ in rows["train"]}))
    if len(classes) < 2:
        raise CorpusError(f"{files['train']}: a classifier needs at least two labels")
    seen: dict[str, None] = {}
    for s in SPLIT_NAMES:
        for _, words in rows.get(s, []):
            for w in words:
                seen.setdefault(w, None)
    vocab = Vocab(tuple(seen))
    splits = {s: _examples(r, vocab, classes, files[s]) for s, r in rows.items()}
    return LabeledData(vocab, classes, splits["train"], splits["valid"], splits.get("test"),
                       {str(f): sha256_file(f) for f in files.values()})


def _examples(rows: list[tuple[str, list[str]]], vocab: Vocab, classes: tuple[str, ...],
              path: Path) -> Examples:
    index = {c: i for i, c in enumerate(classes)}
    unknown = sorted({label for label, _ in rows} - index.keys())
    if unknown:
        raise CorpusError(f"{path}: label(s) {', '.join(unknown)} do not occur in train.txt")
    ids = [np.asarray([vocab.index[w] for w in words], dtype=np.int64) for _, words in rows]
    return Examples(ids, np.asarray([index[label] for label, _ in rows], dtype=np.int64))


# ---- the model --------------------------------------------------------------------------------

class ClassifierModel(nn.Module):
    """encoder (V, D) -> dropout -> rnn (uni- or bidirectional) -> pool -> dropout -> fc (C, H')

    H' = H, or 2H when bidirectional. The state_dict names (encoder.weight, rnn.*, fc.*) are
    the native classifier file's.
    """

    def __init__(self, cell: str, vocab: int, hidden: int, classes: int, layers: int = 1,
                 embedding: int | None = None, dropout: float = 0.0,
                 bidirectional: bool = False, pool: str = "last-output") -> None:
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"unknown pooling {pool!r}")
        d = embedding or hidden
        self.cell, self.pool, self.bidirectional = cell, pool, bidirectional
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(vocab, d)
        kind = {"lstm": nn.LSTM, "gru": nn.GRU}.get(cell)
        drop = dropout if layers > 1 else 0.0
        if kind is not None:
            self.rnn: nn.RNNBase = kind(d, hidden, layers, dropout=drop,
                                        bidirectional=bidirectional)
        else:
            self.rnn = nn.RNN(d, hidden, layers, nonlinearity=cell[4:], dropout=drop,
                              bidirectional=bidirectional)
        self.fc = nn.Linear(hidden * (2 if bidirectional else 1), classes)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """ids (T, B) padded (any pad id), lengths (B,) -> class logits (B, C). Each sentence
        is read only up to its length (packed), so padding changes nothing."""
        x = self.drop(self.encoder(ids))
        packed = pack_padded_sequence(x, lengths.cpu(), enforce_sorted=False)
        out, h_n = self.rnn(packed)
        if isinstance(h_n, tuple):  # the LSTM's (h_n, c_n)
            h_n = h_n[0]
        if self.pool == "final-states":  # the top layer's final state of each direction
            pooled = torch.cat(list(h_n[-2:]), 1) if self.bidirectional else h_n[-1]
        else:  # out[length - 1]: the forward state there beside the reverse state there
            padded, _ = pad_packed_sequence(out)  # (T, B, H')
            last = (lengths - 1).to(padded.device)
            pooled = padded[last, torch.arange(len(lengths), device=padded.device)]
        return self.fc(self.drop(pooled))


def to_classifier_params(model: ClassifierModel, classes: tuple[str, ...]) -> ClassifierParams:
    """The engine's parameters (float32 copies), read through the native format's mapping."""
    from rnnviz.checkpoints import native

    arrays = {k: v.detach().cpu().numpy().astype(np.float32, copy=True)
              for k, v in model.state_dict().items()}
    meta = {"cell": model.cell, "task": "classify", "classes": list(classes),
            "pool": model.pool, "bidirectional": model.bidirectional}
    params = native.params_from_arrays(meta, arrays, model.encoder.num_embeddings)
    assert isinstance(params, ClassifierParams)
    return params


def batch_tensors(ex: Examples, rows: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
    """Sentences ``rows`` as padded ids (T, B) (pad 0), lengths (B,) and labels (B,)."""
    seqs = [ex.ids[i] for i in rows]
    lengths = np.asarray([len(s) for s in seqs], dtype=np.int64)
    ids = np.zeros((int(lengths.max()), len(seqs)), dtype=np.int64)
    for b, s in enumerate(seqs):
        ids[:len(s), b] = s
    return (torch.from_numpy(ids), torch.from_numpy(lengths),
            torch.from_numpy(ex.labels[rows]))


@torch.inference_mode()
def evaluate(model: ClassifierModel, ex: Examples, device: str = "cpu") -> tuple[float, float]:
    """Mean cross-entropy (nats) and accuracy over every sentence of a split."""
    was = model.training
    model.eval()
    order = np.argsort([len(s) for s in ex.ids], kind="stable")  # little padding
    loss, right = 0.0, 0
    for i in range(0, len(order), EVAL_BATCH):
        ids, lengths, labels = batch_tensors(ex, order[i:i + EVAL_BATCH])
        logits = model(ids.to(device), lengths)
        labels = labels.to(device)
        loss += float(nn.functional.cross_entropy(logits, labels, reduction="sum"))
        right += int((logits.argmax(1) == labels).sum())
    model.train(was)
    return loss / len(ex), right / len(ex)


# ---- the loop ---------------------------------------------------------------------------------

@dataclass
class _ClsRun:
    cfg: TrainConfig
    data: LabeledData
    model: ClassifierModel
    opt: torch.optim.Optimizer
    progress: Progress
    done: int = 0
    started: float = field(default_factory=time.monotonic)


def epoch_order(cfg: TrainConfig, epoch: int, n: int) -> np.ndarray:
    """The training sentences' order in an epoch (seeded by seed and epoch: resumable)."""
    return np.random.default_rng([cfg.seed, epoch]).permutation(n)


def _save(run: _ClsRun) -> None:
    p = run.progress
    p.elapsed += time.monotonic() - run.started
    run.started = time.monotonic()
    state = {"version": STATE_VERSION, "hyper": run.cfg.hyper(), "world": 1,
             "progress": asdict(p), "model": run.model.state_dict(),
             "optimizer": run.opt.state_dict(), "rng": torch.get_rng_state()}
    run.cfg.run_path().mkdir(parents=True, exist_ok=True)
    _atomic_save(state, _state_file(run.cfg.run_path(), 0))


def _resume(run: _ClsRun) -> bool:
    path = _state_file(run.cfg.run_path(), 0)
    if run.cfg.fresh or not path.is_file():
        return False
    state = torch.load(path, map_location=run.cfg.device, weights_only=True)
    old = state.get("hyper") or {}
    fixed = {k: v for k, v in run.cfg.hyper().items() if k not in SCHEDULE}
    if {k: old.get(k) for k in fixed} != fixed:
        raise TrainError(f"{path.parent} holds a run with other settings; "
                         "use --fresh to start over or another --run-dir")
    run.model.load_state_dict(state["model"])
    run.opt.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"].cpu())
    run.progress = Progress(**state["progress"])
    return True


def _bar(run: _ClsRun, total: int) -> Any:
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    return tqdm(total=total, initial=run.progress.window, file=sys.stderr, unit="batch",
                desc=f"epoch {run.progress.epoch + 1}/{run.cfg.epochs}", leave=tty,
                disable=not run.cfg.progress, dynamic_ncols=True,
                mininterval=0.5 if tty else 30.0)


def _train_epoch(run: _ClsRun) -> bool:
    """The rest of the current epoch; False when stopped early (``stop_after``)."""
    cfg, p, train = run.cfg, run.progress, run.data.train
    order = epoch_order(cfg, p.epoch, len(train))
    starts = list(range(0, len(order), cfg.batch))
    avg, last_save, t0, seen = math.nan, time.monotonic(), time.monotonic(), 0
    bar = _bar(run, len(starts))
    for w in range(p.window, len(starts)):
        ids, lengths, labels = batch_tensors(train, order[starts[w]:starts[w] + cfg.batch])
        logits = run.model(ids.to(cfg.device), lengths)
        loss = nn.functional.cross_entropy(logits, labels.to(cfg.device))
        run.opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.clip > 0:
            nn.utils.clip_grad_norm_(run.model.parameters(), cfg.clip)
        run.opt.step()
        avg = loss.item() if math.isnan(avg) else 0.98 * avg + 0.02 * loss.item()
        p.window, run.done, seen = w + 1, run.done + 1, seen + len(lengths)
        bar.update(1)
        bar.set_postfix(loss=f"{avg:.3f}", sent_s=f"{seen / max(time.monotonic() - t0, 1e-9):.0f}",
                        lr=f"{p.lr:.3g}", refresh=False)
        stop = cfg.stop_after is not None and run.done >= cfg.stop_after
        if stop or time.monotonic() - last_save > cfg.checkpoint_minutes * 60:
            _save(run)
            last_save = time.monotonic()
        if stop:
            bar.close()
            return False
    bar.close()
    p.history.append({"epoch": p.epoch + 1, "train_loss": avg, "lr": p.lr,
                      "sentences_per_s": seen / max(time.monotonic() - t0, 1e-9)})
    return True


def _end_epoch(run: _ClsRun) -> None:
    """Validate; keep the best weights (lowest validation loss); anneal; checkpoint."""
    cfg, p = run.cfg, run.progress
    loss, acc = evaluate(run.model, run.data.valid, cfg.device)
    p.history[-1].update(valid_loss=loss, valid_accuracy=acc)
    improved, gain = loss < p.best_valid, p.best_valid - loss
    if improved:
        p.best_valid = loss
        _atomic_save(run.model.state_dict(), cfg.run_path() / "best.pt")
        _write(run, p.epoch + 1)
    anneal = (cfg.decay_after is not None and p.epoch + 1 >= cfg.decay_after) or \
        not gain > cfg.plateau
    if anneal:
        p.lr /= cfg.anneal
        for group in run.opt.param_groups:
            group["lr"] = p.lr
    if cfg.progress:
        print(f"epoch {p.epoch + 1}: train loss {p.history[-1]['train_loss']:.4f}, valid loss "
              f"{loss:.4f} accuracy {acc:.4f}{' (best)' if improved else ''}"
              f"{f', lr -> {p.lr:.4g}' if anneal else ''}", file=sys.stderr, flush=True)
    p.epoch, p.window = p.epoch + 1, 0
    _save(run)


def train_classifier(cfg: TrainConfig) -> TrainResult | None:
    """Train (resuming from the run directory) and write ``cfg.out``; None when stopped early."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise TrainError("--task classify trains in one process (no torchrun)")
    if cfg.device.startswith("cuda") and not torch.cuda.is_available():
        raise TrainError("--device cuda: no CUDA device is available")
    data = load_labeled(cfg.data)
    torch.manual_seed(cfg.seed)
    model = ClassifierModel(cfg.cell, len(data.vocab), cfg.hidden, len(data.classes),
                            cfg.layers, cfg.embedding, cfg.dropout, cfg.bidirectional,
                            cfg.pool or "last-output").to(cfg.device)
    run = _ClsRun(cfg, data, model, build_optimizer(cfg, model), Progress(lr=cfg.lr))
    cfg.run_path().mkdir(parents=True, exist_ok=True)
    if _resume(run) and cfg.progress:
        print(f"resuming {cfg.run_path()} at epoch {run.progress.epoch + 1}, "
              f"batch {run.progress.window}", file=sys.stderr, flush=True)
    run.progress.note_schedule(cfg)
    while run.progress.epoch < cfg.epochs:
        if not _train_epoch(run):
            return None
        _end_epoch(run)
    best = cfg.run_path() / "best.pt"
    if best.is_file():
        model.load_state_dict(torch.load(best, map_location=cfg.device, weights_only=True))
    return _write(run, cfg.epochs)


def _write(run: _ClsRun, epochs_done: int) -> TrainResult:
    """Measure valid/test loss and accuracy and write the classifier to ``out``."""
    from rnnviz.checkpoints import native

    cfg, data = run.cfg, run.data
    valid_loss, valid_acc = evaluate(run.model, data.valid, cfg.device)
    test = evaluate(run.model, data.test, cfg.device) if data.test is not None else None
    meta = _provenance(run, (valid_loss, valid_acc), test, epochs_done)
    Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
    native.save(cfg.out, to_classifier_params(run.model, data.classes), data.vocab, "word", meta)
    return TrainResult(cfg.out, math.nan, None, meta, valid_acc,
                       None if test is None else test[1])


def _provenance(run: _ClsRun, valid: tuple[float, float], test: tuple[float, float] | None,
                epochs_done: int) -> dict[str, Any]:
    cfg, p, data = run.cfg, run.progress, run.data
    scored = [h for h in p.history if "valid_loss" in h]
    counts = {s: {c: int((ex.labels == i).sum()) for i, c in enumerate(data.classes)}
              for s, ex in (("train", data.train), ("valid", data.valid), ("test", data.test))
              if ex is not None}
    return {
        "name": cfg.name or Path(cfg.out).stem,
        "command": cfg.command,
        "data": {Path(k).name: v for k, v in data.files.items()},
        "data_path": cfg.data,
        "class_counts": counts,
        "input": "each sentence's words then <eos>",
        "training": {**{k: v for k, v in cfg.hyper().items() if k != "data"},
                     "epochs": cfg.epochs, "world_size": 1},
        "epochs": epochs_done,
        "best_epoch": int(min(scored, key=lambda h: h["valid_loss"])["epoch"]) if scored
        else None,
        "eval_protocol": "every sentence of the split; the class with the largest logit after "
                         "the whole sentence (<eos> included)",
        "valid_loss": valid[0],
        "valid_accuracy": valid[1],
        "test_loss": None if test is None else test[0],
        "test_accuracy": None if test is None else test[1],
        "history": p.history,
        "schedule": p.schedule,
        "wall_time_s": round(p.elapsed + time.monotonic() - run.started, 1),
        "torch_version": torch.__version__,
        "seed": cfg.seed,
    }
