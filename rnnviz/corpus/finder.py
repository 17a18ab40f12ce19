"""The unit finder: every unit (every layer, h and c) ranked by |Pearson r| with a label, the
accuracy of a one-unit threshold classifier, and a linear probe on all units of a layer.

Splits are contiguous: the first 80% of the corpus trains (threshold, probe weights), the last 20%
is scored. Numeric labels are binarized for the threshold classifier as ``label > median``
(``label > min`` when the median is the maximum). Probes: logistic regression (Newton steps,
small L2) for binary labels, scored by accuracy; least squares (small ridge) for numeric labels,
scored by R^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rnnviz.corpus.index import CorpusIndex
from rnnviz.corpus.labels import Label

F64 = NDArray[np.float64]
TRAIN_FRACTION = 0.8
RIDGE = 1e-3


@dataclass(frozen=True)
class UnitScore:
    layer: int
    kind: str
    unit: int
    r: float
    threshold_accuracy: float | None = None

    def as_json(self) -> dict[str, object]:
        return {"layer": self.layer, "kind": self.kind, "unit": self.unit, "r": self.r,
                "threshold_accuracy": _finite(self.threshold_accuracy)}


@dataclass(frozen=True)
class ProbeScore:
    layer: int
    kind: str
    score: float
    metric: str

    def as_json(self) -> dict[str, object]:
        return {"layer": self.layer, "kind": self.kind, "score": _finite(self.score),
                "metric": self.metric}


def _finite(x: float | None) -> float | None:
    """JSON has no NaN: an undefined score (a constant label on the test part) is null."""
    return x if x is not None and np.isfinite(x) else None


def finder_kinds(index: CorpusIndex) -> tuple[str, ...]:
    return tuple(k for k in ("h", "c") if k in index.arrays)


def correlations(x: NDArray[np.floating], y: F64, block: int = 64) -> F64:
    """Pearson r of each row of x (U, N) with y (N,), (U,); NaN for a constant row. Rows are
    converted to float64 ``block`` at a time (memory stays ~block * N * 8 bytes)."""
    yc = y - y.mean()
    out = np.empty(x.shape[0])
    for lo in range(0, x.shape[0], block):
        xf = np.asarray(x[lo:lo + block], np.float64)
        xc = xf - xf.mean(axis=1, keepdims=True)
        den = np.sqrt((xc * xc).sum(axis=1) * (yc @ yc))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[lo:lo + block] = (xc @ yc) / den
    return out


def binarize(label: Label) -> NDArray[np.bool_]:
    """The 0/1 target of the threshold classifier (see the module docstring)."""
    y = label.values
    if label.binary:
        return y > 0.5
    med = float(np.median(y))
    return y > (med if med < y.max() else y.min())


def split_at(n: int) -> int:
    return int(n * TRAIN_FRACTION)


def threshold_accuracy(x: NDArray[np.floating], yb: NDArray[np.bool_]) -> float:
    """Held-out accuracy of the best one-unit rule ``x > t`` or ``x <= t`` (fitted on the train
    part)."""
    cut = split_at(len(x))
    xt, yt = np.asarray(x[:cut], np.float64), yb[:cut]
    order = np.argsort(xt, kind="stable")
    xs, ys = xt[order], yt[order]
    pos_below = np.concatenate(([0], np.cumsum(ys)))  # positives among the i smallest
    i = np.arange(len(xs) + 1)
    acc_up = (i - pos_below) + (pos_below[-1] - pos_below)  # predict 1 above the i-th
    acc_down = pos_below + (len(xs) - i - (pos_below[-1] - pos_below))
    valid = np.concatenate(([True], xs[1:] > xs[:-1], [True]))  # cut between distinct values
    best_up = int(np.argmax(np.where(valid, acc_up, -1)))
    best_down = int(np.argmax(np.where(valid, acc_down, -1)))
    up = acc_up[best_up] >= acc_down[best_down]
    k = best_up if up else best_down
    t = _cut_value(xs, k)
    xv, yv = np.asarray(x[cut:], np.float64), yb[cut:]
    pred = xv > t if up else xv <= t
    return float((pred == yv).mean()) if len(yv) else float("nan")


def _cut_value(xs: F64, k: int) -> float:
    if k == 0:
        return float(xs[0]) - 1.0
    if k == len(xs):
        return float(xs[-1])
    return float(0.5 * (xs[k - 1] + xs[k]))


def rank_units(index: CorpusIndex, label: Label, top: int | None = 10) -> list[UnitScore]:
    """Every h and c unit by |r| descending; threshold accuracy for the first ``top``."""
    y = np.asarray(label.values, np.float64)
    if y.std() == 0:
        raise ValueError(f"label {label.name!r} is constant over the corpus")
    rows: list[tuple[float, int, str, int]] = []
    for kind in finder_kinds(index):
        for layer in range(index.num_layers):
            r = correlations(index.layer(kind, layer), y)
            rows += [(float(v), layer, kind, u) for u, v in enumerate(r) if np.isfinite(v)]
    rows.sort(key=lambda row: (-abs(row[0]), row[2], row[1], row[3]))
    yb = binarize(label)
    out = []
    for i, (r_val, layer, kind, unit) in enumerate(rows):
        acc = None
        if top is None or i < top:
            acc = threshold_accuracy(index.series(kind, layer, unit), yb)
        out.append(UnitScore(layer, kind, unit, r_val, acc))
    return out


def probe(index: CorpusIndex, label: Label, kind: str, layer: int) -> ProbeScore:
    """Linear probe on all units of one layer (see the module docstring)."""
    x = np.asarray(index.layer(kind, layer), np.float64).T  # (N, H)
    cut = split_at(len(x))
    mu, sd = x[:cut].mean(axis=0), x[:cut].std(axis=0) + 1e-6
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    if label.binary:
        yb = label.values > 0.5
        w = logistic_fit(z[:cut], yb[:cut])
        acc = float(((z[cut:] @ w > 0) == yb[cut:]).mean())
        return ProbeScore(layer, kind, acc, "accuracy")
    y = label.values
    w = ridge_fit(z[:cut], y[:cut])
    resid = y[cut:] - z[cut:] @ w
    tot = ((y[cut:] - y[cut:].mean()) ** 2).sum()
    r2 = float(1.0 - (resid @ resid) / tot) if tot > 0 else float("nan")
    return ProbeScore(layer, kind, r2, "r2")


def ridge_fit(z: F64, y: F64) -> F64:
    """argmin ||z w - y||^2 + RIDGE ||w||^2 (intercept column included), (D,)."""
    a = z.T @ z + RIDGE * len(z) * np.eye(z.shape[1])
    out: F64 = np.asarray(np.linalg.solve(a, z.T @ y), np.float64)
    return out


def logistic_fit(z: F64, y: NDArray[np.bool_], steps: int = 12) -> F64:
    """Logistic regression by Newton's method with a small L2 penalty, (D,)."""
    w = np.zeros(z.shape[1])
    t = y.astype(np.float64)
    lam = RIDGE * len(z)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - t) + lam * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + lam * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def probes(index: CorpusIndex, label: Label) -> list[ProbeScore]:
    """One probe per layer and kind (h, c)."""
    return [probe(index, label, kind, layer) for kind in finder_kinds(index)
            for layer in range(index.num_layers)]
