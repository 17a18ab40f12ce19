"""Truncated-BPTT training with resumable checkpoints, optional DistributedDataParallel.

The corpus is one stream cut into B rows (columns of a (L, B) tensor); windows of K steps are
trained in order with the hidden state carried across windows and detached. Under ``torchrun``
each rank takes B / world of the rows; DDP averages the gradients, so the update equals the
single-process one (up to float rounding and dropout masks).
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from rnnviz.engine.factory import AnyParams
from rnnviz.train.cbow_model import CbowModel, to_cbow_params
from rnnviz.train.corpus import IDS, Corpus, load_corpus
from rnnviz.train.evaluate import BOOK_BPTT, fit_batch, mean_nll
from rnnviz.train.model import Hidden, RNNModel, detach, hidden_from_list, hidden_list, to_params
from rnnviz.train.rwkv_model import RwkvModel, to_rwkv_params

CHECK_EVERY = 20  # windows between looks at the checkpoint clock
SCHEDULE = ("anneal", "plateau", "decay_after")  # may change when a run resumes (as may --epochs)
STATE_VERSION = 1


class TrainError(ValueError):
    """A configuration or run directory that cannot be trained."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything ``rnnviz train`` takes. Fields after ``seed`` do not change the result."""

    data: str
    out: str
    cell: str = "lstm"
    layers: int = 2
    hidden: int = 200
    embedding: int | None = None
    tied: bool = False
    dropout: float = 0.2
    bptt: int = 35
    batch: int = 20
    epochs: int = 6
    lr: float = 20.0
    optimizer: str = "sgd"
    clip: float = 0.25
    anneal: float = 4.0
    plateau: float = 0.0
    decay_after: int | None = None
    tokenizer: str | None = None
    reverse: bool = False  # a backward LM: each line's words reversed
    window: int | None = None  # CBOW: the N words averaged
    task: str | None = None  # None: a language model; 'classify': a many-to-one classifier
    bidirectional: bool = False  # classifiers: a bidirectional recurrent net
    pool: str | None = None  # classifiers: 'last-output' (default) or 'final-states'
    seed: int = 1111
    device: str = "cpu"
    name: str | None = None
    run_dir: str | None = None
    checkpoint_minutes: float = 5.0
    stop_after: int | None = None
    fresh: bool = False
    progress: bool = True
    command: str = ""

    def hyper(self) -> dict[str, Any]:
        """The fields that determine the trained parameters (all but ``epochs``)."""
        d = asdict(self)
        keep = list(d)[: list(d).index("seed") + 1]
        return {k: d[k] for k in keep if k not in ("out", "epochs")}

    def segment(self) -> dict[str, Any]:
        """The learning-rate schedule settings, which a resumed run may change."""
        return {"epochs": self.epochs, **{k: getattr(self, k) for k in SCHEDULE}}

    def run_path(self) -> Path:
        return Path(self.run_dir) if self.run_dir else Path("runs") / Path(self.out).stem


@dataclass
class Progress:
    """Where training stands: the next (epoch, window), lr, best validation NLL, history."""

    lr: float
    epoch: int = 0
    window: int = 0
    best_valid: float = math.inf
    elapsed: float = 0.0
    history: list[dict[str, float]] = field(default_factory=list)
    schedule: list[dict[str, Any]] = field(default_factory=list)

    def note_schedule(self, cfg: TrainConfig) -> None:
        """Record the schedule settings in force from the current position on."""
        seg = cfg.segment()
        if not self.schedule or {k: self.schedule[-1].get(k) for k in seg} != seg:
            self.schedule.append({"from_epoch": self.epoch + 1, "from_window": self.window, **seg})


@dataclass(frozen=True)
class TrainResult:
    """What a finished run wrote."""

    out: str
    valid_ppl: float
    test_ppl: float | None
    meta: dict[str, Any]
    valid_accuracy: float | None = None  # classifiers (their ppl figures are NaN)
    test_accuracy: float | None = None


@dataclass
class _Run:
    """Live objects of one process's run."""

    cfg: TrainConfig
    corpus: Corpus
    model: RNNModel
    net: nn.Module  # the model or its DDP wrapper
    opt: torch.optim.Optimizer
    rows: Tensor  # (L, B / world) int64
    rank: int
    world: int
    progress: Progress
    hidden: Hidden | None = None
    done: int = 0  # windows trained by this process
    started: float = field(default_factory=time.monotonic)


def setup_distributed(device: str) -> tuple[int, int]:
    """Join the process group torchrun describes (WORLD_SIZE > 1); return (rank, world)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    return dist.get_rank(), dist.get_world_size()


def batchify(ids: IDS, batch: int, rank: int = 0, world: int = 1) -> Tensor:
    """Cut the stream into ``batch`` contiguous rows, as columns (L, batch); keep this rank's."""
    if batch % world:
        raise TrainError(f"--batch {batch} is not divisible by the {world} processes")
    n = len(ids) // batch
    if n < 2:
        raise TrainError(f"{len(ids)} training tokens are too few for --batch {batch}")
    cols = torch.from_numpy(np.ascontiguousarray(ids[: n * batch].reshape(batch, n).T))
    per = batch // world
    return cols[:, rank * per:(rank + 1) * per].contiguous()


def window_starts(length: int, bptt: int) -> list[int]:
    """First row of each window over an (L, B) stream; the last may be short."""
    return list(range(0, length - 1, bptt))


def build_model(cfg: TrainConfig, vocab_size: int) -> RNNModel:
    torch.manual_seed(cfg.seed)
    if cfg.cell in ("rwkv4", "rwkv7"):
        if cfg.embedding not in (None, cfg.hidden):
            raise TrainError("RWKV has one width: leave --embedding out")
        rwkv = RwkvModel(cfg.cell, vocab_size, cfg.hidden, cfg.layers, cfg.dropout, cfg.tied)
        return rwkv.to(cfg.device)  # type: ignore[return-value]  # same interface
    if cfg.cell == "cbow":
        if cfg.window is None:
            raise TrainError("--cell cbow needs --window N (2 to 10)")
        if cfg.embedding not in (None, cfg.hidden):
            raise TrainError("CBOW has one width, --hidden (the embedding size): leave "
                             "--embedding out")
        cbow = CbowModel(vocab_size, cfg.hidden, cfg.window, cfg.dropout, cfg.tied)
        return cbow.to(cfg.device)  # type: ignore[return-value]  # same interface
    if cfg.window is not None:
        raise TrainError("--window is for --cell cbow")
    return RNNModel(cfg.cell, vocab_size, cfg.hidden, cfg.layers, cfg.embedding,
                    cfg.dropout, cfg.tied).to(cfg.device)


def build_optimizer(cfg: TrainConfig, model: nn.Module) -> torch.optim.Optimizer:
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=cfg.lr)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=cfg.lr)
    raise TrainError(f"unknown optimizer {cfg.optimizer!r} (expected sgd or adam)")


def train_step(run: _Run, x: Tensor, y: Tensor) -> float:
    """One window: forward (T, B), mean cross-entropy, backward, clip, step. Returns the loss."""
    hidden = detach(run.hidden) if run.hidden is not None else None
    logits, run.hidden = run.net(x, hidden)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    run.opt.zero_grad(set_to_none=True)
    loss.backward()
    if run.cfg.clip > 0:
        nn.utils.clip_grad_norm_(run.model.parameters(), run.cfg.clip)
    run.opt.step()
    return loss.item()


# ---- checkpoints ------------------------------------------------------------------------------

def _state_file(run_dir: Path, rank: int) -> Path:
    return run_dir / f"state-rank{rank}.pt"


def _atomic_save(obj: Any, path: Path) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_state(run: _Run) -> None:
    """Everything needed to continue exactly: weights, optimizer, RNG, hidden, position."""
    p = run.progress
    p.elapsed += time.monotonic() - run.started
    run.started = time.monotonic()
    state = {
        "version": STATE_VERSION,
        "hyper": run.cfg.hyper(),
        "world": run.world,
        "progress": asdict(p),
        "model": run.model.state_dict(),
        "optimizer": run.opt.state_dict(),
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state() if run.cfg.device.startswith("cuda") else None,
        "hidden": hidden_list(run.hidden) if run.hidden is not None else None,
    }
    run_dir = run.cfg.run_path()
    run_dir.mkdir(parents=True, exist_ok=True)
    _atomic_save(state, _state_file(run_dir, run.rank))
    _barrier(run.world)


def try_resume(run: _Run) -> bool:
    """Load this rank's state file if there is one; a different configuration is an error."""
    path = _state_file(run.cfg.run_path(), run.rank)
    if run.cfg.fresh or not path.is_file():
        return False
    state = torch.load(path, map_location=run.cfg.device, weights_only=True)
    old = state.get("hyper") or {}
    fixed = {k: v for k, v in run.cfg.hyper().items() if k not in SCHEDULE}
    defaults = {f.name: f.default for f in fields(TrainConfig)}  # settings added since it began
    if {k: old.get(k, defaults.get(k)) for k in fixed} != fixed or state.get("world") != run.world:
        raise TrainError(f"{path.parent} holds a run with other settings; "
                         "use --fresh to start over or another --run-dir")
    run.model.load_state_dict(state["model"])
    run.opt.load_state_dict(state["optimizer"])
    torch.set_rng_state(state["rng"].cpu())
    if state["cuda_rng"] is not None:
        torch.cuda.set_rng_state(state["cuda_rng"].cpu())
    run.hidden = hidden_from_list(state["hidden"]) if state["hidden"] is not None else None
    run.progress = Progress(**state["progress"])
    if not run.progress.schedule:  # a run begun before schedules were recorded
        run.progress.schedule.append({"from_epoch": 1, "from_window": 0,
                                      **{k: old.get(k) for k in SCHEDULE}})
    return True


def _barrier(world: int) -> None:
    if world > 1:
        import torch.distributed as dist

        dist.barrier()


def _any_rank(flag: bool, world: int) -> bool:
    """True on every rank when ``flag`` is true on any (keeps checkpoint decisions in step)."""
    if world <= 1:
        return flag
    import torch.distributed as dist

    t = torch.tensor([int(flag)])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


# ---- the loop ---------------------------------------------------------------------------------

def _bar(run: _Run, total: int) -> Any:
    from tqdm import tqdm

    tty = sys.stderr.isatty()
    return tqdm(total=total, initial=run.progress.window, file=sys.stderr, unit="win",
                desc=f"epoch {run.progress.epoch + 1}/{run.cfg.epochs}", leave=tty,
                disable=not run.cfg.progress or run.rank != 0, dynamic_ncols=True,
                mininterval=0.5 if tty else 30.0)


def run_epoch(run: _Run) -> bool:
    """Train the rest of the current epoch; False if stopped early (``stop_after``)."""
    cfg, p = run.cfg, run.progress
    starts = window_starts(len(run.rows), cfg.bptt)
    if p.window == 0:
        run.hidden = None
    tokens, t0, avg, last_save = 0, time.monotonic(), math.nan, time.monotonic()
    bar = _bar(run, len(starts))
    for w in range(p.window, len(starts)):
        i = starts[w]
        seq = min(cfg.bptt, len(run.rows) - 1 - i)
        x = run.rows[i:i + seq].to(cfg.device)
        y = run.rows[i + 1:i + 1 + seq].to(cfg.device)
        loss = train_step(run, x, y)
        avg = loss if math.isnan(avg) else 0.98 * avg + 0.02 * loss
        tokens += x.numel() * run.world
        p.window, run.done = w + 1, run.done + 1
        bar.update(1)
        bar.set_postfix(loss=f"{avg:.3f}", ppl=f"{math.exp(min(avg, 50)):.1f}",
                        tok_s=f"{tokens / max(time.monotonic() - t0, 1e-9):.0f}",
                        lr=f"{p.lr:.3g}", refresh=False)
        stop = cfg.stop_after is not None and run.done >= cfg.stop_after
        if stop or (w + 1) % CHECK_EVERY == 0:
            due = time.monotonic() - last_save > cfg.checkpoint_minutes * 60
            if stop or _any_rank(due, run.world):
                save_state(run)
                last_save = time.monotonic()
        if stop:
            bar.close()
            return False
    bar.close()
    p.history.append({"epoch": p.epoch + 1, "train_loss": avg, "lr": p.lr,
                      "tokens_per_s": tokens / max(time.monotonic() - t0, 1e-9)})
    return True


def end_epoch(run: _Run) -> None:
    """Validate, keep the best weights (and write them to ``out``), anneal the learning rate when
    validation improves by less than ``plateau`` nats or from epoch ``decay_after`` on, checkpoint.
    """
    p = run.progress
    nll = _nll(run, run.corpus.valid)
    p.history[-1].update(valid_loss=nll, valid_ppl=math.exp(nll))
    improved, gain = nll < p.best_valid, p.best_valid - nll
    if improved:
        p.best_valid = nll
        if run.rank == 0:
            _atomic_save(run.model.state_dict(), run.cfg.run_path() / "best.pt")
            write_model(run, p.epoch + 1, valid=nll)
    decay = run.cfg.decay_after is not None and p.epoch + 1 >= run.cfg.decay_after
    if decay or not gain > run.cfg.plateau:
        p.lr /= run.cfg.anneal
        for group in run.opt.param_groups:
            group["lr"] = p.lr
    if run.rank == 0 and run.cfg.progress:
        note = (" (best)" if improved else "") + (
            f", lr -> {p.lr:.4g}" if decay or not gain > run.cfg.plateau else "")
        print(f"epoch {p.epoch + 1}: valid loss {nll:.4f} ppl {math.exp(nll):.2f}{note}",
              file=sys.stderr, flush=True)
    p.epoch, p.window = p.epoch + 1, 0
    run.hidden = None
    save_state(run)


def prepare(cfg: TrainConfig) -> _Run:
    """Read the data, build model and optimizer, join the process group, resume if possible."""
    if cfg.device.startswith("cuda") and not torch.cuda.is_available():
        raise TrainError("--device cuda: no CUDA device is available")
    rank, world = setup_distributed(cfg.device)
    if world > 1 and cfg.device == "cuda":  # one GPU per process, as torchrun numbers them
        cfg = replace(cfg, device=f"cuda:{os.environ.get('LOCAL_RANK', '0')}")
        torch.cuda.set_device(cfg.device)
    corpus = load_corpus(cfg.data, cfg.tokenizer, cfg.reverse)
    model = build_model(cfg, len(corpus.vocab))
    if rank:
        torch.manual_seed(cfg.seed + 7919 * rank)  # other dropout masks on other ranks
    net: nn.Module = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        on_gpu = cfg.device.startswith("cuda")
        net = DistributedDataParallel(model, device_ids=[cfg.device] if on_gpu else None)
    run = _Run(cfg, corpus, model, net, build_optimizer(cfg, model),
               batchify(corpus.train, cfg.batch, rank, world), rank, world, Progress(lr=cfg.lr))
    cfg.run_path().mkdir(parents=True, exist_ok=True)
    if try_resume(run) and rank == 0 and cfg.progress:
        print(f"resuming {cfg.run_path()} at epoch {run.progress.epoch + 1}, "
              f"window {run.progress.window}", file=sys.stderr, flush=True)
    run.progress.note_schedule(cfg)
    return run


def train(cfg: TrainConfig) -> TrainResult | None:
    """Train (resuming from the run directory); write ``cfg.out`` on rank 0.

    Returns None when stopped early by ``stop_after`` (the state is saved) and on other ranks.
    """
    if cfg.task == "classify":
        from rnnviz.train.classify import train_classifier

        return train_classifier(cfg)
    run = prepare(cfg)
    while run.progress.epoch < cfg.epochs:
        if not run_epoch(run):
            return None
        end_epoch(run)
    return finish(run) if run.rank == 0 else None


def finish(run: _Run) -> TrainResult:
    """Load the best weights and write them with the final provenance."""
    best = run.cfg.run_path() / "best.pt"
    if best.is_file():
        run.model.load_state_dict(torch.load(best, map_location=run.cfg.device, weights_only=True))
    return write_model(run, run.cfg.epochs)


def _nll(run: _Run, ids: IDS) -> float:
    """Mean NLL with the book's protocol (fewer rows for a very short split)."""
    return mean_nll(run.model, ids, fit_batch(len(ids)), BOOK_BPTT, run.cfg.device)


def write_model(run: _Run, epochs_done: int, valid: float | None = None) -> TrainResult:
    """Measure valid/test perplexity (book protocol) and write the model's weights to ``out``."""
    from rnnviz.checkpoints import native

    cfg, corpus = run.cfg, run.corpus
    valid = _nll(run, corpus.valid) if valid is None else valid
    test = _nll(run, corpus.test) if corpus.test is not None else None
    meta = provenance(run, valid, test, epochs_done)
    Path(cfg.out).parent.mkdir(parents=True, exist_ok=True)
    model = run.model
    params: AnyParams
    if isinstance(model, RwkvModel):
        params = to_rwkv_params(model)
    elif isinstance(model, CbowModel):
        params = to_cbow_params(model)
    else:
        params = to_params(model)
    native.save(cfg.out, params, corpus.vocab, corpus.tokenizer, meta)
    return TrainResult(cfg.out, math.exp(valid), None if test is None else math.exp(test), meta)


def _best_epoch(history: list[dict[str, float]]) -> int | None:
    scored = [h for h in history if "valid_loss" in h]
    return int(min(scored, key=lambda h: h["valid_loss"])["epoch"]) if scored else None


def provenance(run: _Run, valid: float, test: float | None, epochs_done: int) -> dict[str, Any]:
    """The metadata a written model carries."""
    cfg, p = run.cfg, run.progress
    elapsed = p.elapsed + time.monotonic() - run.started
    return {
        "name": cfg.name or Path(cfg.out).stem,
        "direction": "backward" if cfg.reverse else "forward",
        "command": cfg.command,
        "data": {Path(k).name: v for k, v in run.corpus.files.items()},
        "data_path": cfg.data,
        "training": {**{k: v for k, v in cfg.hyper().items() if k != "data"},
                     "epochs": cfg.epochs, "world_size": run.world},
        "epochs": epochs_done,
        "best_epoch": _best_epoch(p.history),
        "eval_protocol": f"batch {fit_batch(len(run.corpus.valid))}, bptt {BOOK_BPTT}, "
                         "state carried",
        "valid_loss": valid,
        "valid_ppl": math.exp(valid),
        "test_loss": test,
        "test_ppl": None if test is None else math.exp(test),
        "history": p.history,
        "schedule": p.schedule,
        "wall_time_s": round(elapsed, 1),
        "torch_version": torch.__version__,
        "seed": cfg.seed,
    }
