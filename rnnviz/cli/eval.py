"""``rnnviz eval``: corpus perplexity with the book's protocol, on the numpy engine.

'Deep Learning from Scratch 2' ``eval_perplexity``: the N token ids form ``batch`` parallel
streams starting ``jump = (N - 1) // batch`` apart; ``(N - 1) // (batch * bptt)`` windows of
``bptt`` steps are read, the state carried from one window to the next, and every window's
targets count (so ``iters * batch * bptt`` tokens). ``--batch 1`` is one continuous stream from
a zero state over all N - 1 next-token predictions.

A backward language model reads the corpus backward (each line's words reversed, then <eos>,
as it was trained), a CBOW or bidirectional model through the same batched forward. A
classifier reads a ``label<TAB>sentence`` file (label: a class name or index) and reports
accuracy and mean loss (cross-entropy of the true class after the whole sentence).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import UNK, VocabError
from rnnviz.cli.common import UsageError, add_model_args, engine_for, open_model, write_json
from rnnviz.engine.classifier import ClassifierEngine
from rnnviz.engine.factory import Engine
from rnnviz.engine.network import State

IDS = NDArray[np.int64]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "eval", help="corpus perplexity (the book's protocol)",
        description="Perplexity of a model on a text corpus. Default: the book's eval_perplexity "
                    "(batch 10 parallel streams, 35-step windows, state carried over).")
    add_model_args(p)
    p.add_argument("--data", required=True, metavar="TEXT",
                   help="corpus, one sentence a line (<eos> after each line), e.g. ptb.test.txt; "
                        "a classifier: 'label<TAB>sentence' lines")
    p.add_argument("--batch", type=int, default=10,
                   help="parallel streams (default 10; 1 = one continuous stream)")
    p.add_argument("--bptt", type=int, default=35, help="steps per window (default 35)")
    p.add_argument("--max-tokens", type=int, metavar="N",
                   help="use only the first N tokens (a classifier: the first N sentences)")
    p.add_argument("--json", metavar="OUT", help="write {perplexity, tokens, seconds} here "
                                                 "('-' for stdout)")
    return p


def corpus_ids(path: str, model: LoadedModel, limit: int | None = None) -> tuple[IDS, int]:
    """Token ids of a corpus file (the first ``limit`` when given) and how many of those were
    out of vocabulary (read as <unk>).

    Word models (ptb, words): each line's whitespace words then <eos> (as the book and
    pytorch/examples read PTB and wikitext). Character models: the model's own tokenizer over
    the whole text.
    """
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    ids, oov = _all_ids(path, text, model)
    return ids[:limit], int(oov[:limit].sum())  # OOV over the tokens used, not the whole file


def _all_ids(path: str, text: str, model: LoadedModel) -> tuple[IDS, NDArray[np.bool_]]:
    """Every token id of the text and an out-of-vocabulary mask."""
    try:
        toks = model.corpus_tokens(text)
    except VocabError as e:
        raise UsageError(f"{path}: {e}") from None
    return np.array([t.id for t in toks], np.int64), np.array([t.oov for t in toks], bool)


def windows(n: int, batch: int, bptt: int) -> list[tuple[IDS, IDS]]:
    """(input positions, target positions), each (batch, steps), window by window."""
    if batch == 1:
        starts = range(0, n - 1, bptt)
        return [(np.arange(s, min(s + bptt, n - 1))[None, :],
                 np.arange(s + 1, min(s + bptt, n - 1) + 1)[None, :]) for s in starts]
    iters = (n - 1) // (batch * bptt)
    jump = (n - 1) // batch
    offsets = np.arange(batch)[:, None] * jump
    out = []
    for it in range(iters):
        pos = offsets + it * bptt + np.arange(bptt)[None, :]
        out.append((pos % n, (pos + 1) % n))
    return out


def _window_nll(net: Engine, xs: IDS, ts: IDS, state: State | None) -> tuple[float, State]:
    """Summed negative log-likelihood of the targets of one window, and the carried state."""
    logits, state = net.forward(xs, state)
    top = logits.max(axis=-1, keepdims=True)
    picked = np.take_along_axis(logits, ts[..., None], axis=-1)[..., 0] - top[..., 0]
    z = np.subtract(logits, top, out=logits)
    lse = np.log(np.exp(z, out=z).sum(axis=-1, dtype=np.float64))
    return float((lse - picked).sum()), state


def _progress(total: int) -> Iterator[None]:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="window", file=sys.stderr, disable=not sys.stderr.isatty(),
               leave=False, desc="eval")
    try:
        for _ in range(total):
            yield
            bar.update(1)
    finally:
        bar.close()


def perplexity(model: LoadedModel, ids: IDS, batch: int, bptt: int) -> tuple[float, int]:
    """(perplexity, counted tokens) of ``ids`` under the protocol described in the module."""
    net = engine_for(model)
    wins = windows(len(ids), batch, bptt)
    _check_length(len(ids), batch, bptt)
    total, count, state = 0.0, 0, None
    for (xp, tp), _ in zip(wins, _progress(len(wins)), strict=True):
        nll, state = _window_nll(net, ids[xp], ids[tp], state)
        total += nll
        count += tp.size
    return math.exp(total / count), count


def _check_length(n: int, batch: int, bptt: int) -> None:
    need = batch * bptt + 1 if batch > 1 else 2
    if n < need:
        raise UsageError(f"{n} tokens are too few for --batch {batch} --bptt {bptt} "
                         f"(need at least {need})")


def _check_args(args: argparse.Namespace) -> None:
    if args.batch < 1 or args.bptt < 1:
        raise UsageError("--batch and --bptt must be at least 1")
    if args.max_tokens is not None and args.max_tokens < 2:
        raise UsageError("--max-tokens must be at least 2")


def run(args: argparse.Namespace) -> int:
    _check_args(args)
    model = open_model(args)
    if model.task == "classify":
        return _run_classifier(args, model)
    if model.kind == "bidirectional":
        print("rnnviz: note: a bidirectional model's reverse direction has read the word it "
              "predicts: its perplexity is not comparable with a one-directional model's",
              file=sys.stderr)
    ids, oov = corpus_ids(args.data, model, args.max_tokens)
    _check_length(len(ids), args.batch, args.bptt)
    if oov:
        print(f"rnnviz: note: {oov} tokens of the {len(ids)} used from {args.data} are not in "
              f"the vocabulary (read as {UNK})", file=sys.stderr)
    start = time.perf_counter()
    ppl, tokens = perplexity(model, ids, args.batch, args.bptt)
    seconds = time.perf_counter() - start
    print(f"perplexity {ppl:.2f} over {tokens} tokens (batch {args.batch}, bptt {args.bptt}) "
          f"in {seconds:.1f} s")
    if args.json:
        report = {"perplexity": ppl, "tokens": tokens, "seconds": round(seconds, 3),
                  "batch": args.batch, "bptt": args.bptt, "checkpoint": args.checkpoint,
                  "data": args.data}
        write_json(report, args.json, indent=2)
    return 0


# --- classifiers ---------------------------------------------------------------------------

def labelled_sentences(path: str, model: LoadedModel,
                       limit: int | None = None) -> tuple[list[IDS], IDS, int]:
    """A ``label<TAB>sentence`` file -> (token ids per sentence, class index (N,), OOV count).
    label: a class name of the model, or its index; blank lines are skipped."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    sents, labels, oov = [], [], 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        label, tab, sentence = line.partition("\t")
        if not tab:
            raise UsageError(f"{path}:{n}: expected 'label<TAB>sentence'")
        try:
            toks = model.sentence_tokens(sentence)
        except VocabError as e:
            raise UsageError(f"{path}:{n}: {e}") from None
        if not toks:
            raise UsageError(f"{path}:{n}: the sentence has no tokens")
        sents.append(np.array([t.id for t in toks], np.int64))
        labels.append(_class_index(model, label.strip(), f"{path}:{n}"))
        oov += sum(t.oov for t in toks)
        if limit is not None and len(sents) >= limit:
            break
    if not sents:
        raise UsageError(f"{path}: no labelled sentences")
    return sents, np.array(labels, np.int64), oov


def _class_index(model: LoadedModel, label: str, where: str) -> int:
    if label in model.classes:
        return model.classes.index(label)
    if label.isdigit() and int(label) < len(model.classes):
        return int(label)
    raise UsageError(f"{where}: label {label!r} is none of the classes "
                     f"({', '.join(model.classes)}) nor an index below {len(model.classes)}")


def class_logits(net: Engine, sents: list[IDS], batch: int = 64) -> NDArray[np.float64]:
    """Each sentence's class logits after its last token, (N, C); sentences of one length
    run together, ``batch`` at a time."""
    out: dict[int, np.ndarray] = {}
    by_len: dict[int, list[int]] = {}
    for i, s in enumerate(sents):
        by_len.setdefault(len(s), []).append(i)
    for idx in by_len.values():
        for lo in range(0, len(idx), batch):
            part = idx[lo:lo + batch]
            ids = np.stack([sents[i] for i in part])
            if isinstance(net, ClassifierEngine):
                last = net.final_logits(ids)
            else:
                logits, _ = net.forward(ids)
                last = logits[:, -1] if logits.ndim == 3 else logits
            out.update(zip(part, last.astype(np.float64), strict=True))
    return np.stack([out[i] for i in range(len(sents))])


def accuracy_and_loss(logits: NDArray[np.float64], labels: IDS) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) of class logits (N, C) against labels (N,)."""
    top = logits.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    loss = float((lse - logits[np.arange(len(labels)), labels]).mean())
    return float((logits.argmax(axis=1) == labels).mean()), loss


def _run_classifier(args: argparse.Namespace, model: LoadedModel) -> int:
    sents, labels, oov = labelled_sentences(args.data, model, args.max_tokens)
    if oov:
        print(f"rnnviz: note: {oov} words of {args.data} are not in the vocabulary (read as "
              f"{UNK})", file=sys.stderr)
    start = time.perf_counter()
    acc, loss = accuracy_and_loss(class_logits(engine_for(model), sents), labels)
    seconds = time.perf_counter() - start
    print(f"accuracy {100 * acc:.2f}% ({round(acc * len(labels))}/{len(labels)}), mean loss "
          f"{loss:.4f} over {len(labels)} sentences in {seconds:.1f} s")
    if args.json:
        counts = np.bincount(labels, minlength=len(model.classes))
        write_json({"accuracy": acc, "loss": loss, "sentences": len(labels),
                    "classes": list(model.classes), "label_counts": counts.tolist(),
                    "seconds": round(seconds, 3), "checkpoint": args.checkpoint,
                    "data": args.data}, args.json, indent=2)
    return 0
