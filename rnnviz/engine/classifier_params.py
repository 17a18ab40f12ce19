"""Many-to-one classifier parameters (the tutorials' SampleRNN): embedding or one-hot input ->
RNN/LSTM/GRU (uni- or bidirectional) -> Linear (fc) on a pooled output -> class softmax."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.bidir_params import BiParams
from rnnviz.engine.params import ModelParams, ParamError

POOLS: tuple[str, ...] = ("last-output", "final-states")


@dataclass(frozen=True)
class ClassifierParams:
    """A classifier over a token sequence.

    net: the recurrent part with fc as its decoder (``output_size`` = C): ModelParams with
    decoder_w (C, H), or BiParams with decoder_w (C, 2H). classes: the C class names.
    pool: 'last-output' = fc(out[:, -1, :]) as SampleRNN does (for a bidirectional net: the
    forward state at the last step beside the reverse state at the last step, which has read
    only that step), 'final-states' = fc([h_n forward; h_n reverse]) (the reverse state after
    reading back to the first step). For a unidirectional net both are the top layer's last h.
    one_hot: the file had no embedding; ``net.embedding`` is then the identity (V = input size).
    """

    net: ModelParams | BiParams
    classes: tuple[str, ...]
    pool: str = "last-output"
    one_hot: bool = False

    def __post_init__(self) -> None:
        c = int(self.net.decoder_w.shape[0])
        if self.pool not in POOLS:
            raise ParamError(f"unknown pooling {self.pool!r} (expected {' or '.join(POOLS)})")
        if len(self.classes) != c:
            raise ParamError(f"fc has {c} outputs but {len(self.classes)} class names were given")
        if c < 2:
            raise ParamError("a classifier needs at least two classes")
        if self.one_hot and not np.array_equal(
                self.net.embedding, np.eye(self.net.vocab_size, dtype=np.float32)):
            raise ParamError("a one-hot classifier's embedding must be the identity")

    @property
    def cell(self) -> str:
        return self.net.cell

    @property
    def bidirectional(self) -> bool:
        return isinstance(self.net, BiParams)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def vocab_size(self) -> int:
        return self.net.vocab_size

    @property
    def embedding_size(self) -> int:
        return self.net.embedding_size

    @property
    def hidden_size(self) -> int:
        return self.net.hidden_size

    @property
    def num_layers(self) -> int:
        return self.net.num_layers

    @property
    def tied(self) -> bool:
        return False
