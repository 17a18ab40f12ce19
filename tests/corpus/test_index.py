"""The corpus index against fresh engine runs (chunk boundaries and warm-up included), the cache
key, cancel, and reading a corpus as eval reads it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rnnviz.cli.eval import corpus_ids
from rnnviz.corpus.index import IndexSpec, cache_key, load_or_build, model_sha256
from rnnviz.corpus.reader import corpus_from_text, read_corpus
from rnnviz.engine.bptt import Cancelled
from rnnviz.engine.network import RNNLM
from tests.corpus.helpers import make_parens, parens_model, word_corpus, word_model

TOL = {"rtol": 2e-3, "atol": 2e-3}  # float16 storage


def _engine_state(net: RNNLM, ids: np.ndarray, start: int, pos: int) -> dict[str, np.ndarray]:
    """A fresh single-stream run over ids[start..pos]: kind -> (L, H) at pos."""
    rec = net.run(ids[start:pos + 1].tolist())[-1]
    out = {"h": rec.h}
    if rec.c is not None:
        out["c"] = rec.c
    out.update({f"gate_{g}": v for g, v in rec.gates.items()})
    return out


def _check_positions(index, net, ids, positions) -> None:
    for p in positions:
        b = index.stream_of(p)
        start = int(index.starts[b] - index.warmups[b])
        want = _engine_state(net, ids, start, p)
        assert set(want) == set(index.kinds)
        for kind, v in want.items():
            np.testing.assert_allclose(index.arrays[kind][:, :, p], v, **TOL,
                                       err_msg=f"{kind} at {p}")


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_index_matches_engine_at_random_positions_and_chunk_boundaries(tmp_path: Path,
                                                                      cell: str) -> None:
    model = word_model(tmp_path, cell)
    corpus = read_corpus(word_corpus(tmp_path), model)
    index = load_or_build(model, corpus, tmp_path / "cache", IndexSpec(batch=7, warmup=5))
    n = len(corpus)
    assert index.n_tokens == n and len(index.starts) == 7 and index.warmups[0] == 0
    edges = [int(s) + d for s in index.starts for d in (-1, 0, 1) if 0 <= int(s) + d < n]
    rng = np.random.default_rng(1)
    _check_positions(index, RNNLM(model.params), corpus.ids,
                     [*edges, n - 1, *rng.integers(0, n, 15).tolist()])


def test_exact_index_is_one_stream_from_the_start(tmp_path: Path) -> None:
    model = word_model(tmp_path, "lstm")
    corpus = read_corpus(word_corpus(tmp_path, lines=15), model)
    index = load_or_build(model, corpus, tmp_path / "cache", IndexSpec.exact())
    net = RNNLM(model.params)
    for p in (0, 17, len(corpus) - 1):
        np.testing.assert_allclose(index.arrays["h"][:, :, p],
                                   _engine_state(net, corpus.ids, 0, p)["h"], **TOL)
    assert not index.near_boundary(0, len(corpus))


def test_char_model_index_and_boundary_flags(tmp_path: Path) -> None:
    model = parens_model()
    corpus = corpus_from_text(make_parens().generate(1500, seed=5), model)
    index = load_or_build(model, corpus, tmp_path, IndexSpec(batch=4, warmup=20))
    s1 = int(index.starts[1])
    _check_positions(index, RNNLM(model.params), corpus.ids, [s1 - 1, s1, s1 + 3, 700])
    assert index.near_boundary(s1 - 5, s1 + 5) and not index.near_boundary(s1 + 1, s1 + 9)
    assert index.history(s1) == 20 and index.history(3) == 3


def test_reader_reads_as_eval_reads(tmp_path: Path) -> None:
    model = word_model(tmp_path)
    path = word_corpus(tmp_path)
    ids, oov = corpus_ids(str(path), model)
    corpus = read_corpus(path, model)
    np.testing.assert_array_equal(corpus.ids, ids)
    assert corpus.oov == oov == 1
    assert corpus.tokens[:3] == tuple(path.read_text().split()[:3])


def test_cache_is_reused_and_keyed_by_model_corpus_and_spec(tmp_path: Path) -> None:
    model = word_model(tmp_path)
    path = word_corpus(tmp_path, lines=10)
    corpus = read_corpus(path, model)
    calls: list[float] = []
    first = load_or_build(model, corpus, tmp_path / "c", IndexSpec(4, 3), calls.append)
    assert calls and calls[-1] == 1.0
    calls.clear()
    again = load_or_build(model, corpus, tmp_path / "c", IndexSpec(4, 3), calls.append)
    assert calls == [] and again.directory == first.directory
    sha = model_sha256(model)
    key = cache_key(sha, corpus, "lstm", IndexSpec(4, 3))
    assert first.directory.name == key
    # another model file, corpus file, batching or cell: another key
    other_file = tmp_path / "copy.safetensors"
    other_file.write_bytes(Path(model.path).read_bytes() + b" ")
    assert model_sha256(replace(model, path=str(other_file))) != sha
    path.write_text(path.read_text() + "the cat\n")
    changed = read_corpus(path, model)
    assert cache_key(sha, changed, "lstm", IndexSpec(4, 3)) != key
    assert cache_key(sha, corpus, "lstm", IndexSpec(5, 3)) != key
    assert cache_key(sha, corpus, "gru", IndexSpec(4, 3)) != key
    assert cache_key(sha, corpus, "lstm", IndexSpec(4, 3, gates=False)) != key
    small = load_or_build(model, corpus, tmp_path / "c", IndexSpec(4, 3, gates=False))
    assert small.kinds == ("h", "c")
    np.testing.assert_array_equal(small.arrays["c"], first.arrays["c"])
    rebuilt = load_or_build(model, changed, tmp_path / "c", IndexSpec(4, 3), calls.append)
    assert calls and rebuilt.n_tokens == len(changed) == len(corpus) + 3


def test_cancel_leaves_nothing(tmp_path: Path) -> None:
    model = word_model(tmp_path)
    corpus = read_corpus(word_corpus(tmp_path), model)
    with pytest.raises(Cancelled):
        load_or_build(model, corpus, tmp_path / "c", IndexSpec(2, 0), lambda f: f < 0.3)
    assert list((tmp_path / "c" / "index").iterdir()) == []


def test_cache_keeps_the_most_recently_opened_indexes(tmp_path: Path) -> None:
    import os
    import time

    from rnnviz.corpus.index import prune

    model = word_model(tmp_path)
    dirs = []
    for seed in range(4):
        corpus = read_corpus(word_corpus(tmp_path, lines=5, seed=seed), model)
        dirs.append(load_or_build(model, corpus, tmp_path / "c", IndexSpec(2, 1)).directory)
    for k, d in enumerate(dirs):  # opened in the order 0, 1, 2, 3; then 0 again
        os.utime(d / "meta.json", (time.time() - 100 + k, time.time() - 100 + k))
    os.utime(dirs[0] / "meta.json")
    removed = prune(tmp_path / "c", keep=2)
    assert sorted(removed) == sorted([dirs[1], dirs[2]])
    assert dirs[0].is_dir() and dirs[3].is_dir()


def test_stepper_without_the_input_table_gives_the_same_states(tmp_path: Path) -> None:
    from rnnviz.corpus.stepper import Stepper

    model = word_model(tmp_path, "gru")
    net = RNNLM(model.params)
    with_table, without = Stepper(net), Stepper(net, n_tokens=3)  # 3 tokens < 13 words
    assert with_table.table is not None and without.table is None
    ids = np.array([2, 5, 7, 0])
    h = np.random.default_rng(0).uniform(-1, 1, (2, 4, 8)).astype(np.float32)
    for a, b in zip(with_table.step(ids, h, None), without.step(ids, h, None), strict=True):
        np.testing.assert_allclose(a[0], b[0], rtol=1e-5, atol=1e-6)
        for g in ("r", "z", "n"):
            np.testing.assert_allclose(a[2][g], b[2][g], rtol=1e-5, atol=1e-6)
