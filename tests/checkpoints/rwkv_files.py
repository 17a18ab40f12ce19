"""Writers of RWKV checkpoints in the real formats, for tests (torch is the writer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from rnnviz.engine.rwkv_params import RwkvParams

_VEC3 = ("time_mix_k", "time_mix_v", "time_mix_r", "x_r", "x_w", "x_k", "x_v", "x_a", "x_g",
         "w0", "a0", "v0", "k_k", "k_a")


def blinkdl_state_dict(p: RwkvParams, dtype: torch.dtype = torch.float32
                       ) -> dict[str, torch.Tensor]:
    """BlinkDL's layout: time-mix style vectors as (1, 1, C), everything else as the engine."""
    out = {}
    for name, a in p.arrays.items():
        t = torch.tensor(np.array(a))
        if name.rsplit(".", 1)[-1] in _VEC3:
            t = t.view(1, 1, -1)
        out[name] = t.to(dtype)
    return out


def save_pth(p: RwkvParams, path: Path, dtype: torch.dtype = torch.float32) -> Path:
    torch.save(blinkdl_state_dict(p, dtype), path)
    return path


def save_vocab(size: int, path: Path) -> Path:
    path.write_text("".join(f"tok{i}\n" for i in range(size)), encoding="utf-8")
    return path
