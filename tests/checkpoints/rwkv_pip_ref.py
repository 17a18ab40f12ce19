"""Run the ``rwkv`` PyPI package's own runtime on a .pth and print its logits (one process per
version: the package picks RWKV-4 or RWKV-7 from RWKV_V7_ON when it is imported).

usage: python rwkv_pip_ref.py MODEL_WITHOUT_PTH OUT.npy ID [ID ...]
"""

from __future__ import annotations

import sys

import numpy as np


def main() -> None:
    from rwkv.model import RWKV

    model = RWKV(model=sys.argv[1], strategy="cpu fp32", verbose=False) \
        if "verbose" in RWKV.__init__.__code__.co_varnames else RWKV(sys.argv[1], "cpu fp32")
    state = None
    rows = []
    for tok in sys.argv[3:]:
        logits, state = model.forward([int(tok)], state)
        rows.append(logits.detach().float().numpy().copy())
    np.save(sys.argv[2], np.stack(rows))


if __name__ == "__main__":
    main()
