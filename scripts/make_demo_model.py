"""Write resources/models/demo-lstm.safetensors: a small untrained 2-layer LSTM over a
few hundred common words, so that the app opens with no trained model present."""

from __future__ import annotations

import sys
from pathlib import Path

from rnnviz.checkpoints import native
from rnnviz.checkpoints.vocab import EOS, UNK, Vocab
from rnnviz.engine.params import random_params

WORDS = """the a an of to in and is was are were be been has have had it its he she they we
you i his her their our this that these those there here what who which when where why how
not no yes all some any one two three N many more most other new old good great big small
long little first last next same own man men woman women day days year years time times way
people world life work home house room school book books car cars city country company
market money price prices stock shares said says say came come comes go goes went going
get got make made take took see saw know knew think thought want wanted give gave find
found tell told ask asked watching reading watching playing hi hello mary tom alice bob
john mr. mrs. up down out over into onto from with without for at by on about after
before because if then than so but or as while until since during through under again
only also just very too still even back well now today tomorrow yesterday morning night
""".split()


def main(out: str = "resources/models/demo-lstm.safetensors") -> None:
    vocab = Vocab(tuple(dict.fromkeys([EOS, UNK, *WORDS])))
    params = random_params("lstm", len(vocab), 64, layers=2, tied=True, seed=2026, scale=0.4)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    native.save(out, params, vocab, "word", {
        "name": "demo LSTM (untrained)",
        "provenance": "scripts/make_demo_model.py: random weights, seed 2026; for trying the "
                      "app only: its predictions mean nothing",
    })
    print(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
