"""CBOW language model parameters: the next word from the average of the last N embeddings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.params import F32, ParamError

WINDOWS = range(2, 11)  # N = 2..10


@dataclass(frozen=True)
class CbowParams:
    """h_t = mean(embedding[w_s] for s in t-N+1..t, fewer at the start of a text);
    logits_t = decoder_w @ h_t + decoder_b. Word order inside the window is invisible.

    embedding: (V, D); window: N; decoder_w: (V, D); decoder_b: (V,).
    """

    embedding: F32
    window: int
    decoder_w: F32
    decoder_b: F32

    def __post_init__(self) -> None:
        validate_cbow(self)

    cell = "cbow"

    @property
    def vocab_size(self) -> int:
        return int(self.embedding.shape[0])

    @property
    def embedding_size(self) -> int:
        return int(self.embedding.shape[1])

    @property
    def hidden_size(self) -> int:
        """D: the averaged window is the model's only state."""
        return self.embedding_size

    @property
    def num_layers(self) -> int:
        return 1

    @property
    def tied(self) -> bool:
        e, d = self.embedding, self.decoder_w
        return e.shape == d.shape and (e is d or bool(np.array_equal(e, d)))


def validate_cbow(p: CbowParams) -> None:
    """Check window, shapes, dtypes and finiteness; raise ParamError naming the problem."""
    def check(cond: bool, msg: str) -> None:
        if not cond:
            raise ParamError(msg)

    check(p.window in WINDOWS, f"CBOW window must be 2 to 10 words, got {p.window}")
    check(p.embedding.ndim == 2, f"embedding must be 2-D, got shape {p.embedding.shape}")
    v, d = p.embedding.shape
    check(p.decoder_w.shape == (v, d),
          f"decoder.weight has shape {tuple(p.decoder_w.shape)}, expected {(v, d)}")
    check(p.decoder_b.shape == (v,),
          f"decoder.bias has shape {tuple(p.decoder_b.shape)}, expected {(v,)}")
    for name, arr in (("encoder.weight", p.embedding), ("decoder.weight", p.decoder_w),
                      ("decoder.bias", p.decoder_b)):
        check(arr.dtype == np.float32, f"{name} must be float32, got {arr.dtype}")
        check(bool(np.isfinite(arr).all()), f"{name} contains NaN or infinite values")


def random_cbow(vocab: int, dim: int, window: int, seed: int = 0) -> CbowParams:
    """Random CBOW model (uniform +-1/sqrt(D)); for tests."""
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(dim)

    def u(*shape: int) -> F32:
        return rng.uniform(-s, s, size=shape).astype(np.float32)

    return CbowParams(u(vocab, dim), window, u(vocab, dim), u(vocab))
