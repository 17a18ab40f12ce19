"""Write resources/ptb_vocab.txt: the PTB vocabulary in the book's id order.

The order of 'Deep Learning from Scratch 2' (``dataset/ptb.py``) and of pytorch/examples'
word_language_model: first appearance in ptb.train.txt, with ``<eos>`` at each line's end.

    python scripts/make_ptb_vocab.py [../shared/data/ptb/ptb.train.txt] [resources/ptb_vocab.txt]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnnviz.checkpoints.vocab import vocab_from_corpus  # noqa: E402

DEFAULT_TRAIN = ROOT.parent / "shared" / "data" / "ptb" / "ptb.train.txt"
DEFAULT_OUT = ROOT / "resources" / "ptb_vocab.txt"
# Ids the book's ptb.vocab.pkl gives these words: a check that the order is the book's.
KNOWN_IDS = {"aer": 0, "banknote": 1, "<eos>": 24, "<unk>": 26, "N": 27}


def main(argv: list[str]) -> int:
    train = Path(argv[0]) if argv else DEFAULT_TRAIN
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    vocab = vocab_from_corpus([train])
    wrong = {w: vocab.get(w) for w, i in KNOWN_IDS.items() if vocab.get(w) != i}
    if len(vocab) != 10000 or wrong:
        print(f"unexpected vocabulary: {len(vocab)} tokens, ids {wrong}", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(f"{t}\n" for t in vocab.tokens), encoding="utf-8")
    print(f"wrote {out} ({len(vocab)} tokens)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
