"""Write resources/memory_corpus.txt: the default corpus of the Memory view.

Text in the Penn Treebank vocabulary and format (one sentence a line, PTB's " w1 w2 ... \\n"),
sampled from the bundled ptb-lstm with a fixed seed, so the app can ship it: the PTB text
itself is not public domain (see ../shared/data/ptb/README.md, "Licence note"). Plain ancestral
sampling at temperature 1 from the zero state, fed <eos> first; <unk> stays as PTB writes it.

    python scripts/make_memory_corpus.py [TOKENS] [OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnnviz.checkpoints.loader import load_model  # noqa: E402
from rnnviz.checkpoints.vocab import EOS  # noqa: E402
from rnnviz.engine.network import RNNLM  # noqa: E402

MODEL = ROOT / "resources" / "models" / "ptb-lstm.safetensors"
DEFAULT_OUT = ROOT / "resources" / "memory_corpus.txt"
SEED = 2026


def sample(n_tokens: int, seed: int = SEED) -> list[str]:
    """n_tokens words (<eos> included) sampled from ptb-lstm."""
    model = load_model(MODEL)
    net, words = RNNLM(model.params), model.vocab.tokens
    rng = np.random.default_rng(seed)
    rec = net.step(model.vocab.index[EOS])
    out: list[str] = []
    while len(out) < n_tokens:
        p = rec.probs.astype(np.float64)
        i = int(rng.choice(len(p), p=p / p.sum()))
        out.append(words[i])
        rec = net.step(i, rec.state)
    return out


def main(argv: list[str]) -> int:
    n_tokens = int(argv[0]) if argv else 5000
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    words = sample(n_tokens)
    while words and words[-1] != EOS:  # end on a whole sentence
        words.pop()
    lines, cur = [], []
    for w in words:
        if w == EOS:
            lines.append(" " + " ".join(cur) + " \n")
            cur = []
        else:
            cur.append(w)
    out.write_text("".join(lines), encoding="utf-8")
    print(f"{out}: {len(lines)} sentences, {len(words)} tokens with <eos>")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
