"""The corpus index: every step's h (every layer), c and gate activations over a corpus, stored as
float16 memory-mapped .npy files in a cache directory keyed so that it can never be stale.

The forward pass runs over B parallel streams: the corpus is cut into B contiguous chunks of
``chunk = ceil(N / B)`` tokens and each stream carries its state within its chunk. Stream b > 0
first reads the ``warmup`` tokens before its chunk (from a zero state, not recorded), so the
state at its first recorded step has that much history; stream 0 starts from a zero state at
token 0 as a single stream would. ``batch=1, warmup=0`` is one exact stream over the corpus.

Files: ``<cache>/index/<key>/{meta.json, h.npy, c.npy, gate_<name>.npy}``, each array
(L, H, B * chunk) float16 of which the first N columns are the corpus (one unit's series is
contiguous).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rnnviz.checkpoints.model import LoadedModel
from rnnviz.corpus.reader import CorpusText
from rnnviz.corpus.stepper import Stepper
from rnnviz.engine.bptt import Cancelled, Progress
from rnnviz.engine.factory import build_engine, named_params, rnn_only
from rnnviz.engine.network import RNNLM

FORMAT_VERSION = 2
KEEP = 8  # indexes kept in a cache directory; the least recently opened go first
F16 = NDArray[np.float16]


@dataclass(frozen=True)
class IndexSpec:
    """How the forward pass is batched. batch=1, warmup=0 gives exact single-stream states."""

    batch: int = 64
    warmup: int = 32
    gates: bool = True  # False: h and c only (a third of the size for an LSTM)

    @classmethod
    def exact(cls, gates: bool = True) -> IndexSpec:
        return cls(batch=1, warmup=0, gates=gates)

    def key(self) -> str:
        return f"b{self.batch}w{self.warmup}g{int(self.gates)}"

    @classmethod
    def for_length(cls, n: int, max_batch: int = 64, min_chunk: int = 1024,
                   gates: bool = True) -> IndexSpec:
        """Up to ``max_batch`` streams, but chunks of at least ``min_chunk`` tokens (fewer
        boundaries on a small corpus)."""
        return cls(max(1, min(max_batch, n // min_chunk)), cls.warmup, gates)


def default_cache_dir() -> Path:
    """The platform's user cache dir for rnnviz (platformdirs if installed, else XDG)."""
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("rnnviz"))
    except ImportError:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "rnnviz"


def model_sha256(model: LoadedModel) -> str:
    """sha256 of the model file, or of its parameters when it has no file."""
    h = hashlib.sha256()
    if model.path and Path(model.path).is_file():
        with open(model.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    else:
        for arr in named_params(model.params):
            h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def cache_key(model_sha: str, corpus: CorpusText, cell: str, spec: IndexSpec) -> str:
    """Key of an index: model file, corpus file and its token ids, cell, batching, version."""
    parts = (model_sha, corpus.sha256, corpus.ids_sha256(), cell, spec.key(),
             str(FORMAT_VERSION))
    return hashlib.sha256(":".join(parts).encode()).hexdigest()[:32]


def chunk_starts(n: int, batch: int) -> tuple[int, NDArray[np.int64]]:
    """(chunk length, start of each non-empty chunk) for n tokens over up to ``batch`` streams."""
    chunk = -(-n // max(1, batch))
    return chunk, np.arange(0, n, chunk, dtype=np.int64)


class CorpusIndex:
    """An opened index: memory-mapped arrays name -> (L, H, N) float16 plus the layout facts."""

    def __init__(self, directory: Path, meta: dict[str, Any], arrays: dict[str, F16]) -> None:
        self.directory = directory
        self.meta = meta
        self.arrays = arrays
        self.n_tokens = int(meta["tokens"])
        self.num_layers = int(meta["layers"])
        self.hidden = int(meta["hidden"])
        self.chunk = int(meta["chunk"])
        self.starts = np.asarray(meta["starts"], np.int64)
        self.warmups = np.asarray(meta["warmups"], np.int64)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Stored kinds: 'h', 'c' (LSTM) and 'gate_<name>'."""
        return tuple(self.arrays)

    def layer(self, kind: str, layer: int) -> F16:
        """All units of a layer, (H, N) float16 (memory-mapped)."""
        return self.arrays[kind][layer]

    def series(self, kind: str, layer: int, unit: int) -> NDArray[np.float32]:
        """One unit over the corpus, (N,) float32."""
        return np.asarray(self.arrays[kind][layer, unit], np.float32)

    def stream_of(self, pos: int) -> int:
        """Which chunk (stream) holds position ``pos``."""
        return int(pos // self.chunk)

    def history(self, pos: int) -> int:
        """Steps of history behind the state at ``pos`` (its stream's warm-up included)."""
        b = self.stream_of(pos)
        return int(pos - self.starts[b] + self.warmups[b])

    def near_boundary(self, lo: int, hi: int) -> bool:
        """Whether [lo, hi) contains the start of a chunk other than the first."""
        inner = self.starts[1:]
        return bool(((inner > lo) & (inner < hi)).any() or (inner == lo).any())


def open_index(directory: Path) -> CorpusIndex | None:
    """Open a finished index directory, or None when it is missing or of another version."""
    try:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("version") != FORMAT_VERSION:
            return None
        files = {k: np.load(directory / f"{k}.npy", mmap_mode="r") for k in meta["kinds"]}
        shape = (meta["layers"], meta["hidden"], meta["stored"])
    except (OSError, ValueError, KeyError):
        return None
    if any(a.shape != shape or a.dtype != np.float16 for a in files.values()):
        return None
    n = int(meta["tokens"])
    return CorpusIndex(directory, meta, {k: a[:, :, :n] for k, a in files.items()})


def load_or_build(model: LoadedModel, corpus: CorpusText, cache_dir: str | Path | None = None,
                  spec: IndexSpec | None = None, progress: Progress | None = None) -> CorpusIndex:
    """The cached index of ``corpus`` under ``model``, built (and cached) when absent.

    progress(fraction) returning False cancels the build (raises Cancelled; nothing is kept).
    """
    spec = spec or IndexSpec()
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = cache_key(model_sha256(model), corpus, model.params.cell, spec)
    final = root / "index" / key
    found = open_index(final)
    if found is not None:
        _touch(final)
        return found
    tmp = root / "index" / f".{key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        meta = _build(rnn_only(build_engine(model.params), "corpus indexes"), corpus, tmp,
                      spec, progress)
        meta.update(model=model.name, model_path=model.path, corpus_path=corpus.path,
                    corpus_sha256=corpus.sha256)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    index = open_index(final)
    if index is None:
        raise OSError(f"cannot reopen the index written to {final}")
    prune(root, KEEP, keep_also=final)
    return index


def _touch(directory: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(directory / "meta.json")


def prune(cache_dir: str | Path, keep: int = KEEP, keep_also: Path | None = None) -> list[Path]:
    """Remove all but the ``keep`` most recently opened indexes (and stale partial builds older
    than a day); return what was removed."""
    base = Path(cache_dir) / "index"
    if not base.is_dir():
        return []
    now = time.time()
    done, removed = [], []
    for d in base.iterdir():
        meta = d / "meta.json"
        if d.name.startswith("."):
            if now - d.stat().st_mtime > 86400:
                removed.append(d)
        elif meta.is_file():
            done.append((meta.stat().st_mtime, d))
        else:
            removed.append(d)
    done.sort(reverse=True)
    removed += [d for _, d in done[keep:] if d != keep_also]
    for d in removed:
        shutil.rmtree(d, ignore_errors=True)
    return removed


TILE = 128  # steps gathered (float16) before one transposed write into the arrays


def _build(net: RNNLM, corpus: CorpusText, out: Path, spec: IndexSpec,
           progress: Progress | None) -> dict[str, Any]:
    """Run the streams, writing every kind's .npy under ``out``; return the meta facts.

    Each file holds (L, H, B * chunk): chunk b fills columns b*chunk.. in corpus order, the
    last chunk's padding beyond N is never read."""
    n = len(corpus)
    chunk, starts = chunk_starts(n, spec.batch)
    warmups = np.minimum(spec.warmup, starts)
    gates = net.gate_names if spec.gates else ()
    kinds = ["h", *(["c"] if net.is_lstm else []), *(f"gate_{g}" for g in gates)]
    shape = (net.num_layers, net.hidden_size, len(starts) * chunk)
    arrays = {k: np.empty(shape, np.float16) for k in kinds}  # in memory: the tile writes
    _run_streams(net, corpus.ids, chunk, starts, spec.warmup, arrays, progress)  # are scattered
    for kind, arr in arrays.items():
        with open(out / f"{kind}.npy", "wb") as f:  # one sequential write per file
            np.lib.format.write_array(f, arr, allow_pickle=False)
    return {"version": FORMAT_VERSION, "tokens": n, "stored": shape[2], "layers": shape[0],
            "hidden": shape[1], "cell": net.params.cell, "kinds": kinds, "chunk": chunk,
            "batch": spec.batch, "warmup": spec.warmup, "gates": spec.gates,
            "starts": starts.tolist(),
            "warmups": warmups.tolist()}


def _run_streams(net: RNNLM, ids: NDArray[np.int64], chunk: int, starts: NDArray[np.int64],
                 warmup: int, files: dict[str, F16], progress: Progress | None) -> None:
    """Step all streams together and record every step after the warm-up into ``files``."""
    n, b = len(ids), len(starts)
    rec = _Recorder(files, b, chunk)
    state = net.zero_state(b)
    h, c = state.h.copy(), (state.c.copy() if state.c is not None else None)
    stepper = Stepper(net, n)
    total = warmup + chunk
    every = max(1, total // 100)
    for j in range(total):
        pos = starts - warmup + j  # (B,) token each stream reads at this step
        live = (pos >= 0) & (pos < n)
        for k, (h_new, c_new, gates) in enumerate(stepper.step(ids[np.clip(pos, 0, n - 1)], h, c)):
            np.multiply(h_new, live[:, None], out=h[k])  # streams not started or done stay 0
            if c is not None and c_new is not None:
                np.multiply(c_new, live[:, None], out=c[k])
            if j >= warmup:
                rec.put(k, h_new, c_new, gates)
        if j >= warmup:
            rec.step(last=j == total - 1)
        if progress is not None and (j % every == 0 or j == total - 1) \
                and progress((j + 1) / total) is False:
            raise Cancelled()


class _Recorder:
    """Gathers TILE steps of (B, H) arrays per layer and kind, then writes them transposed into
    the (L, H, B, chunk) view of each file."""

    def __init__(self, files: dict[str, F16], batch: int, chunk: int) -> None:
        first = next(iter(files.values()))
        n_layers, hid = first.shape[0], first.shape[1]
        self.views = {k: f.reshape(n_layers, hid, batch, chunk) for k, f in files.items()}
        self.tiles = {k: np.empty((TILE, n_layers, batch, hid), np.float16) for k in files}
        self.row = 0
        self.done = 0

    def put(self, layer: int, h: NDArray[np.float32], c: NDArray[np.float32] | None,
            gates: dict[str, NDArray[np.float32]]) -> None:
        self.tiles["h"][self.row, layer] = h
        if c is not None:
            self.tiles["c"][self.row, layer] = c
        for g, v in gates.items():
            tile = self.tiles.get(f"gate_{g}")
            if tile is not None:
                tile[self.row, layer] = v

    def step(self, last: bool) -> None:
        self.row += 1
        if self.row < TILE and not last:
            return
        lo, hi = self.done, self.done + self.row
        for k, tile in self.tiles.items():
            self.views[k][:, :, :, lo:hi] = tile[: self.row].transpose(1, 3, 2, 0)
        self.done, self.row = hi, 0


def clear_cache(cache_dir: str | Path | None = None) -> None:
    """Remove every cached index."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(root / "index")
