"""Generation after a prompt: greedy, temperature sampling (top-k, top-p) and beam search.

Every function starts from the state after the prompt and the prompt's last logits (V,), as a
forward run leaves them, so nothing before the prompt's end is recomputed. Sampling draws from
a numpy Generator: the same seed gives the same tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rnnviz.engine.bptt import Cancelled, Progress
from rnnviz.engine.cells import F32
from rnnviz.engine.intervention import Intervention
from rnnviz.engine.network import RNNLM, State

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Sampling:
    """temperature 0: greedy (argmax); top_k 0 and top_p 1.0: no filtering."""

    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if self.top_k < 0:
            raise ValueError("top-k must be >= 0")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError("top-p must be in (0, 1]")


@dataclass(frozen=True)
class Generated:
    """ids: the generated tokens; logps: log p of each under the model (before filtering)."""

    ids: list[int]
    logps: list[float]


def _log_softmax(logits: F32) -> F64:
    """log softmax over the last axis, in float64."""
    z = logits.astype(np.float64)
    z -= z.max(axis=-1, keepdims=True)
    out: F64 = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return out


def distribution(logits: F32, s: Sampling) -> F64:
    """The distribution a token is drawn from, (V,) float64: softmax(logits / T) restricted to
    the k most likely tokens and then to the smallest most-likely set whose mass reaches p,
    renormalised. T = 0 puts all mass on the argmax."""
    z = logits.astype(np.float64)
    if s.temperature == 0:
        out = np.zeros_like(z)
        out[int(np.argmax(z))] = 1.0
        return out
    z = z / s.temperature
    p = np.exp(z - z.max())
    p /= p.sum()
    order = np.argsort(-p, kind="stable")
    keep = len(p) if s.top_k == 0 else min(s.top_k, len(p))
    if s.top_p < 1.0:
        mass = np.cumsum(p[order[:keep]])
        mass /= mass[-1]  # nucleus of the top-k distribution
        keep = min(keep, int(np.searchsorted(mass, s.top_p)) + 1)
    mask = np.zeros(len(p), bool)
    mask[order[:keep]] = True
    p = np.where(mask, p, 0.0)
    out_p: F64 = p / p.sum()
    return out_p


def sample(model: RNNLM, state: State, logits: F32, n: int, s: Sampling,
           rng: np.random.Generator, intervention: Intervention | None = None,
           start: int = 0, progress: Progress | None = None) -> Generated:
    """n tokens, one at a time. state, logits: after the prompt (state batch 1, logits (V,));
    start: the step index of the first generated token (for an intervention); progress:
    called with the fraction done, False cancels (Cancelled)."""
    ids: list[int] = []
    logps: list[float] = []
    for i in range(n):
        p = distribution(logits, s)
        tok = int(np.argmax(p)) if s.temperature == 0 else int(rng.choice(len(p), p=p))
        ids.append(tok)
        logps.append(float(_log_softmax(logits)[tok]))
        _report(progress, (i + 1) / n)
        if i + 1 < n:
            out, state = model.forward(np.array([[tok]]), state, intervention, start + i)
            logits = out[0, 0]
    return Generated(ids, logps)


@dataclass(frozen=True)
class BeamNode:
    """A node of the beam tree: token (-1 for the root, the prompt's end), logp: cumulative log
    probability of the path from the root, parent: index of the parent node (-1 for the root)."""

    index: int
    token: int
    logp: float
    parent: int
    depth: int


@dataclass
class BeamTree:
    """Every node kept at some depth; final: the last depth's nodes, best first."""

    nodes: list[BeamNode] = field(default_factory=list)
    final: list[int] = field(default_factory=list)

    def path(self, index: int) -> list[int]:
        """Token ids from the root's child down to node ``index``."""
        out: list[int] = []
        while index > 0:
            node = self.nodes[index]
            out.append(node.token)
            index = node.parent
        return out[::-1]

    def best(self) -> list[int]:
        return self.path(self.final[0]) if self.final else []


def beam_search(model: RNNLM, state: State, logits: F32, n: int, width: int,
                intervention: Intervention | None = None, start: int = 0,
                progress: Progress | None = None) -> BeamTree:
    """Beam search of n tokens with ``width`` beams: at each depth the ``width`` highest
    cumulative log-probabilities among all one-token extensions of the kept beams (ties: lower
    beam, then lower token id). The tree keeps every kept node with its parent."""
    if width < 1:
        raise ValueError("beam width must be >= 1")
    tree = BeamTree([BeamNode(0, -1, 0.0, -1, 0)])
    beams = [0]  # node index of each row of ``state`` / ``logits``
    lp = _log_softmax(logits[None])  # (rows, V)
    for depth in range(1, n + 1):
        cum = np.array([tree.nodes[b].logp for b in beams])[:, None] + lp  # (rows, V)
        flat = np.argsort(-cum.ravel(), kind="stable")[:width]
        rows, toks = np.divmod(flat, cum.shape[1])
        beams = [_add(tree, beams[r], int(tok), float(cum[r, tok]), depth)
                 for r, tok in zip(rows, toks, strict=True)]
        _report(progress, depth / n)
        if depth == n:
            break
        prev = State(state.h[:, rows], None if state.c is None else state.c[:, rows])
        out, state = model.forward(toks[:, None], prev, intervention, start + depth - 1)
        lp = _log_softmax(out[:, 0])
    tree.final = sorted(beams, key=lambda i: -tree.nodes[i].logp)
    return tree


def _report(progress: Progress | None, fraction: float) -> None:
    if progress is not None and not progress(fraction):
        raise Cancelled


def _add(tree: BeamTree, parent: int, token: int, logp: float, depth: int) -> int:
    tree.nodes.append(BeamNode(len(tree.nodes), token, logp, parent, depth))
    return len(tree.nodes) - 1
