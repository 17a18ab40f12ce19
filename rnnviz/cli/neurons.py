"""``rnnviz neurons``: rank every unit of a model by how well it tracks a label over a corpus."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from rnnviz.cli.common import UsageError, add_model_args, open_model, write_json
from rnnviz.corpus.finder import probes, rank_units
from rnnviz.corpus.index import CorpusIndex, IndexSpec, load_or_build
from rnnviz.corpus.labels import BUILTIN, LabelError, make_label
from rnnviz.corpus.reader import CorpusReadError, read_corpus
from rnnviz.engine.bptt import Progress


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "neurons", help="find the units that track a label over a corpus",
        description="Index a corpus (cached), then rank every unit (every layer, h and c) by "
                    "|Pearson r| with a label; report a one-unit threshold classifier and a "
                    "linear probe per layer (80/20 contiguous split).")
    add_model_args(p)
    p.add_argument("--data", required=True, metavar="FILE",
                   help="corpus, read as eval reads it (words: <eos> per line; chars: the text)")
    p.add_argument("--label", required=True,
                   help=f"{'|'.join(BUILTIN)}|regex:PATTERN|file:PATH")
    p.add_argument("--top", type=int, default=10, help="units to list (default 10)")
    p.add_argument("--json", metavar="OUT", help="write the result here ('-' for stdout)")
    p.add_argument("--cache-dir", metavar="DIR", help="index cache (default: user cache dir)")
    p.add_argument("--exact", action="store_true",
                   help="one stream over the corpus (exact states; slower)")
    p.add_argument("--streams", type=int, metavar="B",
                   help=f"parallel streams of the index (default: up to {IndexSpec.batch}, "
                        "chunks of at least 1024 tokens)")
    p.add_argument("--warmup", type=int, default=IndexSpec.warmup, metavar="W",
                   help="tokens each stream reads before its chunk, unrecorded "
                        f"(default {IndexSpec.warmup})")
    p.add_argument("--gates", action="store_true",
                   help="also store the gate activations in the index (the finder uses h and c)")
    p.add_argument("--max-tokens", type=int, metavar="N", help="use only the first N tokens")
    return p


def _bar() -> tuple[Progress, Any]:
    from tqdm import tqdm

    bar = tqdm(total=100, unit="%", file=sys.stderr, disable=not sys.stderr.isatty(),
               leave=False, desc="index")

    def progress(fraction: float) -> bool:
        bar.n = int(100 * fraction)
        bar.refresh()
        return True

    return progress, bar


def build_index(args: argparse.Namespace) -> tuple[Any, Any, CorpusIndex]:
    model = open_model(args)
    try:
        corpus = read_corpus(args.data, model, args.max_tokens)
    except CorpusReadError as e:
        raise UsageError(str(e)) from None
    if (args.streams is not None and args.streams < 1) or args.warmup < 0:
        raise UsageError("--streams must be at least 1 and --warmup at least 0")
    streams = args.streams or IndexSpec.for_length(len(corpus)).batch
    spec = (IndexSpec.exact(args.gates) if args.exact
            else IndexSpec(streams, args.warmup, args.gates))
    progress, bar = _bar()
    try:
        index = load_or_build(model, corpus, args.cache_dir, spec, progress)
    except OSError as e:
        raise UsageError(f"index cache: {e}") from None
    finally:
        bar.close()
    return model, corpus, index


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    start = time.perf_counter()
    _, corpus, index = build_index(args)
    try:
        label = make_label(args.label, corpus.tokens, corpus.tokenizer)
        units = rank_units(index, label, args.top)
    except (LabelError, ValueError) as e:
        raise UsageError(str(e)) from None
    probe = probes(index, label)
    shown = units[: args.top]
    out = sys.stderr if args.json == "-" else sys.stdout  # keep stdout for the JSON
    print(f"{label.name}: {len(corpus)} tokens, {len(units)} units "
          f"({time.perf_counter() - start:.1f} s)", file=out)
    for u in shown:
        print(f"  layer {u.layer} {u.kind}[{u.unit}]  r {u.r:+.3f}  "
              f"threshold accuracy {u.threshold_accuracy:.3f}", file=out)
    for p in probe:
        print(f"  probe layer {p.layer} {p.kind}: {p.metric} {p.score:.3f}", file=out)
    if args.json:
        doc = {"label": label.name, "tokens": len(corpus),
               "units": [u.as_json() for u in shown], "probe": [p.as_json() for p in probe]}
        write_json(doc, args.json, indent=2)
    return 0
