"""``rnnviz train``: train a language model (RNN/LSTM/GRU/RWKV/CBOW) or a many-to-one classifier
and write the native format."""

from __future__ import annotations

import argparse
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from rnnviz.cli.common import UsageError

if TYPE_CHECKING:
    from rnnviz.train.trainer import TrainConfig

CELL_CHOICES = ("lstm", "gru", "rnn_tanh", "rnn_relu", "rwkv4", "rwkv7", "cbow")


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "train", help="train a model (resumable; runs under torchrun with DDP)",
        description="Train an RNN/LSTM/GRU/RWKV or CBOW language model with truncated BPTT, "
                    "or (--task classify) a many-to-one RNN/LSTM/GRU classifier. State is "
                    "checkpointed under the run directory; rerunning the same command resumes.")
    a = p.add_argument
    a("--data", required=True, metavar="DIR_OR_FILE",
      help="directory with ptb.{train,valid,test}.txt (words) or one text file (chars, 90/10)")
    a("--out", required=True, metavar="FILE.safetensors", help="where to write the model")
    a("--cell", choices=CELL_CHOICES, default="lstm")
    a("--layers", type=int, default=2)
    a("--hidden", type=int, default=200)
    a("--embedding", type=int, help="embedding size (default: hidden)")
    a("--tied", action="store_true", help="share the embedding and decoder weights")
    a("--dropout", type=float, default=0.2)
    a("--bptt", type=int, default=35, help="window length K")
    a("--batch", type=int, default=20, help="parallel rows B (split across ranks)")
    a("--epochs", type=int, default=6)
    a("--lr", type=float, help="learning rate (default 20 for sgd, 0.002 for adam)")
    a("--optimizer", choices=("sgd", "adam"), default="sgd")
    a("--clip", type=float, default=0.25, help="global gradient-norm clip (0: off)")
    a("--anneal", type=float, default=4.0, help="divide lr by this when validation stalls")
    a("--plateau", type=float, default=0.0,
      help="anneal also when validation loss improves by less than this many nats")
    a("--decay-after", type=int, metavar="E",
      help="anneal after every epoch from epoch E on (Zaremba et al.'s fixed decay)")
    a("--tokenizer", choices=("word", "char"),
      help="default: word for a directory, char for a file")
    a("--reverse", action="store_true",
      help="train a backward model: each line's words reversed, predicting the previous word "
           "(stored as direction 'backward'; rnnviz eval reads it backwards)")
    a("--window", type=int, metavar="N",
      help="--cell cbow: predict the next word from the mean of the last N embeddings (2..10)")
    a("--task", choices=("lm", "classify"), default="lm",
      help="lm (default) or classify: a many-to-one classifier on --data DIR holding "
           "train/valid/test files of 'label<TAB>sentence' lines")
    a("--bidirectional", action="store_true", help="classifiers: a bidirectional recurrent net")
    a("--pool", choices=("last-output", "final-states"),
      help="classifiers: fc reads the last step's output (default, as SampleRNN's out[:, -1]) "
           "or both directions' final states")
    a("--seed", type=int, default=1111)
    a("--device", default="cpu", help="cpu or cuda[:N]")
    a("--threads", type=int, help="torch CPU threads")
    a("--name", help="model name stored in the file (default: the output's stem)")
    a("--run-dir", help="checkpoint directory (default: runs/<out stem>)")
    a("--checkpoint-minutes", type=float, default=5.0, help="mid-epoch checkpoint interval")
    a("--fresh", action="store_true", help="ignore an existing checkpoint and start over")
    a("--resume", action="store_true", help="require an existing checkpoint to resume from")
    a("--no-progress", action="store_true", help="no progress bar or epoch lines")
    a("--stop-after", type=int, help=argparse.SUPPRESS)  # windows; simulates an interruption
    return p


def config_from_args(args: argparse.Namespace, command: str = "") -> TrainConfig:
    """The TrainConfig an argument namespace describes."""
    from rnnviz.train.trainer import TrainConfig

    lr = args.lr if args.lr is not None else (20.0 if args.optimizer == "sgd" else 0.002)
    for flag, value in (("--layers", args.layers), ("--hidden", args.hidden),
                        ("--bptt", args.bptt), ("--batch", args.batch), ("--epochs", args.epochs)):
        if value < 1:
            raise UsageError(f"{flag} must be at least 1")
    if not 0.0 <= args.dropout < 1.0:
        raise UsageError("--dropout must be in [0, 1)")
    if args.tied and args.embedding not in (None, args.hidden):
        raise UsageError("--tied needs --embedding equal to --hidden")
    if (args.cell == "cbow") != (args.window is not None):
        raise UsageError("--cell cbow needs --window N, and --window is for --cell cbow only")
    if args.window is not None and not 2 <= args.window <= 10:
        raise UsageError("--window must be 2 to 10 words")
    classify = args.task == "classify"
    if not classify and (args.bidirectional or args.pool):
        raise UsageError("--bidirectional and --pool are for --task classify")
    if classify and (args.cell not in ("lstm", "gru", "rnn_tanh", "rnn_relu") or args.reverse
                     or args.tied or args.tokenizer):
        raise UsageError("--task classify trains an RNN, LSTM or GRU on words (no --reverse, "
                         "--tied or --tokenizer)")
    return TrainConfig(
        data=args.data, out=args.out, cell=args.cell,
        layers=1 if args.cell == "cbow" else args.layers, hidden=args.hidden,
        embedding=args.embedding, tied=args.tied, dropout=args.dropout, bptt=args.bptt,
        batch=args.batch, epochs=args.epochs, lr=lr, optimizer=args.optimizer, clip=args.clip,
        anneal=args.anneal, plateau=args.plateau,
        decay_after=args.decay_after, tokenizer=args.tokenizer, reverse=args.reverse,
        window=args.window, task="classify" if classify else None,
        bidirectional=args.bidirectional, pool=(args.pool or "last-output") if classify else None,
        seed=args.seed,
        device=args.device,
        name=args.name, run_dir=args.run_dir, checkpoint_minutes=args.checkpoint_minutes,
        stop_after=args.stop_after, fresh=args.fresh, progress=not args.no_progress,
        command=command)


def command_line(cfg: TrainConfig) -> str:
    """The ``rnnviz train`` command that reproduces ``cfg`` (every result-relevant flag)."""
    words = ["python", "-m", "rnnviz", "train", "--data", cfg.data, "--out", cfg.out]
    for key, value in cfg.hyper().items():
        if key == "data" or value is None or value is False:
            continue
        words.append("--" + key.replace("_", "-"))
        if value is not True:
            words.append(str(value))
    words += ["--epochs", str(cfg.epochs)]
    return shlex.join(words)


def run(args: argparse.Namespace) -> int:
    import torch

    from rnnviz.train.corpus import CorpusError
    from rnnviz.train.trainer import TrainError, train

    cfg = config_from_args(args)
    cfg = replace(cfg, command=command_line(cfg))
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.resume and not (cfg.run_path() / "state-rank0.pt").is_file():
        raise UsageError(f"--resume: no checkpoint in {cfg.run_path()}")
    try:
        result = train(cfg)
    except (TrainError, CorpusError) as e:
        raise UsageError(str(e)) from None
    if result is not None and result.test_accuracy is not None:
        print(f"wrote {result.out}: valid accuracy {result.valid_accuracy:.4f}, "
              f"test accuracy {result.test_accuracy:.4f}")
    elif result is not None:
        test = "" if result.test_ppl is None else f", test ppl {result.test_ppl:.2f}"
        print(f"wrote {result.out}: valid ppl {result.valid_ppl:.2f}{test}")
    return 0
