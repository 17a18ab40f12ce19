"""Top contexts, select and match, labels and the unit finder against brute-force and numpy
references; the CLI's JSON; the parenthesis-LSTM proof."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnnviz.cli import main
from rnnviz.corpus import finder, match
from rnnviz.corpus.contexts import histogram, top_contexts
from rnnviz.corpus.index import IndexSpec, load_or_build
from rnnviz.corpus.labels import Label, LabelError, make_label
from rnnviz.corpus.reader import read_corpus
from tests.corpus.helpers import make_parens, word_corpus, word_model


@pytest.fixture
def indexed(tmp_path: Path):
    model = word_model(tmp_path, "lstm", hidden=10)
    corpus = read_corpus(word_corpus(tmp_path, lines=120), model)
    return corpus, load_or_build(model, corpus, tmp_path / "cache", IndexSpec(5, 4))


def test_finder_r_equals_numpy_corrcoef(indexed) -> None:
    corpus, index = indexed
    label = make_label("sentence-position", corpus.tokens, "word")
    ranked = finder.rank_units(index, label, top=3)
    assert len(ranked) == 2 * index.num_layers * index.hidden
    for u in ranked:
        want = np.corrcoef(index.series(u.kind, u.layer, u.unit), label.values)[0, 1]
        assert u.r == pytest.approx(want, abs=1e-6)
    assert [abs(u.r) for u in ranked] == sorted((abs(u.r) for u in ranked), reverse=True)
    assert all(u.threshold_accuracy is not None for u in ranked[:3])
    assert ranked[3].threshold_accuracy is None
    layer = index.layer("c", 1)  # in blocks of 3 rows: the same r
    want_all = [np.corrcoef(np.asarray(row, np.float64), label.values)[0, 1] for row in layer]
    np.testing.assert_allclose(finder.correlations(layer, label.values, block=3), want_all,
                               atol=1e-9)


def test_threshold_accuracy_is_the_best_train_rule_scored_on_the_test_part() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=300).astype(np.float32)
    y = (x + rng.normal(scale=0.8, size=300)) > 0.2
    cut = finder.split_at(300)
    best, best_acc = None, -1.0
    for t in np.concatenate(([x.min() - 1], np.sort(x[:cut]))):  # brute force: every cut
        for up in (True, False):
            acc = float((((x[:cut] > t) if up else (x[:cut] <= t)) == y[:cut]).mean())
            if acc > best_acc:
                best, best_acc = (t, up), acc
    assert best is not None
    t, up = best
    want = float((((x[cut:] > t) if up else (x[cut:] <= t)) == y[cut:]).mean())
    assert finder.threshold_accuracy(x, y) == pytest.approx(want, abs=0.02)


def test_probe_least_squares_matches_numpy_lstsq(indexed) -> None:
    corpus, index = indexed
    label = make_label("sentence-position", corpus.tokens, "word")
    got = finder.probe(index, label, "h", 1)
    x = np.asarray(index.layer("h", 1), np.float64).T
    cut = finder.split_at(len(x))
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.linalg.lstsq(a[:cut], label.values[:cut], rcond=None)[0]
    y = label.values[cut:]
    r2 = 1 - ((y - a[cut:] @ w) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert got.metric == "r2" and got.score == pytest.approx(r2, abs=0.02)
    binary = finder.probe(index, make_label("number", corpus.tokens, "word"), "c", 0)
    assert binary.metric == "accuracy" and 0.5 <= binary.score <= 1.0


def _brute_scores(layer: np.ndarray, sel: np.ndarray, n: int, thr: float) -> np.ndarray:
    h, total = layer.shape
    out = np.zeros(total - n + 1)
    for p in range(total - n + 1):
        for u in range(h):
            on = all(layer[u, p + j] >= thr for j in range(n))
            out[p] += (1 if sel[u] else -1) if on else 0
    return out


def test_match_ranking_equals_brute_force_scan() -> None:
    rng = np.random.default_rng(4)
    layer = rng.uniform(-1, 1, size=(9, 300)).astype(np.float16)
    layer[:4, 100:104] = 0.9  # a planted pattern
    text = np.asarray(layer[:, 98:106], np.float32).T  # (T, H): a "current text"
    sel = match.select_units(text, 2, 6, threshold=0.3, below_before=False)
    assert sel[:4].all()
    brute = _brute_scores(layer, sel, 4, 0.3)
    got = match.match(layer, sel, 4, 0.3, top=50)
    np.testing.assert_array_equal(got.all_scores, brute)

    def brute_length(p: int) -> int:  # steps the matching on-units stay on from p
        units = [u for u in range(9) if sel[u] and all(layer[u, p + j] >= 0.3 for j in range(4))]
        if not units:
            return 4
        k = 0
        while p + k < 300 and k < 200 and all(layer[u, p + k] >= 0.3 for u in units):
            k += 1
        return k

    order = sorted(range(len(brute)), key=lambda p: (-brute[p], p))
    chosen: list[int] = []
    blocked: set[int] = set()
    for p in order:
        if p not in blocked:
            chosen.append(p)
            blocked.update(range(p - 3, p + brute_length(p)))
    np.testing.assert_array_equal(got.positions, chosen[:50])
    np.testing.assert_array_equal(got.lengths, [brute_length(p) for p in chosen[:50]])
    assert got.positions[0] == 100 and got.lengths[0] == 4
    assert got.length_histogram().sum() == 50


def test_select_on_set_and_below_before() -> None:
    v = np.array([[0.5, 0.0, 0.9], [0.6, 0.4, 0.8], [0.7, 0.5, 0.1]], np.float32)  # (T=3, H=3)
    np.testing.assert_array_equal(match.select_units(v, 1, 3, 0.3, False), [True, True, False])
    np.testing.assert_array_equal(match.select_units(v, 1, 3, 0.3, True), [False, True, False])


def test_top_contexts_and_histogram_match_a_sort(indexed) -> None:
    _, index = indexed
    values = index.series("c", 1, 2)
    high, low = top_contexts(index, "c", 1, 2, k=5, width=3)
    assert high[0].value == values.max() and low[0].value == values.min()
    assert [c.value for c in high] == sorted((c.value for c in high), reverse=True)
    for group in (high, low):
        ps = [c.position for c in group]
        assert all(abs(a - b) > 3 for i, a in enumerate(ps) for b in ps[i + 1:])
        assert all(c.start == max(0, c.position - 3) for c in group)
    counts, edges = histogram(index, "c", 1, 2, bins=10)
    assert counts.sum() == index.n_tokens and edges[0] == values.min()


def test_labels() -> None:
    toks = list('a(b[c"d"e])\nxy')
    assert make_label("depth", toks, "char").values.tolist() == [
        0, 1, 1, 2, 2, 3, 3, 2, 2, 1, 0, 0, 0, 0]
    assert make_label("quote", toks, "char").values.tolist()[5:8] == [1, 1, 0]
    assert make_label("line-position", toks, "char").values.tolist()[-3:] == [11, 0, 1]
    words = "the N cat sat <eos> a 3.5 dog".split()
    assert make_label("sentence-position", words, "word").values.tolist() == [
        0, 1, 2, 3, 4, 0, 1, 2]
    assert make_label("number", words, "word").values.tolist() == [0, 1, 0, 0, 0, 0, 1, 0]
    assert make_label("regex:c.t|dog", words, "word").values.tolist() == [
        0, 0, 1, 0, 0, 0, 0, 1]
    with pytest.raises(LabelError):
        make_label("regex:(", words, "word")
    with pytest.raises(LabelError):
        make_label("colour", words, "word")


def test_label_file(tmp_path: Path) -> None:
    f = tmp_path / "l.txt"
    f.write_text("0 1\n1 0\n")
    lab = make_label(f"file:{f}", ["a", "b", "c", "d"], "word")
    assert isinstance(lab, Label) and lab.binary and lab.values.tolist() == [0, 1, 1, 0]
    with pytest.raises(LabelError):
        make_label(f"file:{f}", ["a"], "word")


def test_cli_json_and_errors(tmp_path: Path, capsys) -> None:
    model = word_model(tmp_path)
    data = word_corpus(tmp_path, lines=80)
    out = tmp_path / "n.json"
    rc = main(["neurons", model.path, "--data", str(data), "--label", "sentence-position",
               "--top", "4", "--json", str(out), "--cache-dir", str(tmp_path / "c")])
    assert rc == 0
    doc = json.loads(out.read_text())
    assert set(doc) == {"label", "tokens", "units", "probe"}
    assert doc["label"] == "sentence-position" and len(doc["units"]) == 4
    assert set(doc["units"][0]) == {"layer", "kind", "unit", "r", "threshold_accuracy"}
    rs = [abs(u["r"]) for u in doc["units"]]
    assert rs == sorted(rs, reverse=True)
    assert {(p["layer"], p["kind"], p["metric"]) for p in doc["probe"]} == {
        (0, "h", "r2"), (1, "h", "r2"), (0, "c", "r2"), (1, "c", "r2")}
    rc = main(["neurons", model.path, "--data", str(data), "--label", "nope",
               "--cache-dir", str(tmp_path / "c")])
    assert rc == 2 and "unknown label" in capsys.readouterr().err


def test_parens_lstm_has_a_depth_unit(tmp_path: Path) -> None:
    """The proof: on freshly generated held-out text, some unit tracks the nesting depth."""
    data = tmp_path / "heldout.txt"
    data.write_text(make_parens().generate(20_000, seed=99), encoding="utf-8")
    out = tmp_path / "p.json"
    model = Path(__file__).resolve().parents[2] / "resources/models/parens-lstm.safetensors"
    assert main(["neurons", str(model), "--data", str(data), "--label", "depth", "--json",
                 str(out), "--cache-dir", str(tmp_path / "c")]) == 0
    best = json.loads(out.read_text())["units"][0]
    assert abs(best["r"]) >= 0.9
    assert best["threshold_accuracy"] >= 0.9


@pytest.mark.parametrize("thr", [0.3, 0.0, -0.0, -0.25, 1e-4, -1.0, 0.7])
def test_float16_threshold_through_bits_equals_float_comparison(thr: float) -> None:
    rng = np.random.default_rng(7)
    v = rng.uniform(-1, 1, size=(4, 500)).astype(np.float16)
    v[0, :6] = [0.0, -0.0, np.float16(thr), -np.float16(thr), 1.0, -1.0]
    want = v.astype(np.float32) >= np.float32(np.float16(thr))
    np.testing.assert_array_equal(match.at_or_above(v, thr), want)
