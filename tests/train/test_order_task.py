"""scripts/make_order_task.py: balanced, seeded, each sentence once, shuffles really shuffled."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_order_task.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_order_task", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fake_ptb(root: Path) -> Path:
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    root.mkdir()
    for split, n in (("train", 101), ("valid", 20), ("test", 21)):
        lines = [" ".join(rng.choice(words, size=int(rng.integers(4, 12)))) for _ in range(n)]
        lines += ["too short", "a a a a a", ""]  # skipped: < 4 words, one word only, empty
        (root / f"ptb.{split}.txt").write_text("".join(f" {s} \n" for s in lines), "utf-8")
    return root


def _rows(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t")) for line in path.read_text("utf-8").splitlines()]  # type: ignore[misc]


def test_each_sentence_once_balanced_and_shuffles_differ(tmp_path: Path) -> None:
    ptb = _fake_ptb(tmp_path / "ptb")
    assert _script().main(["--ptb", str(ptb), "--out", str(tmp_path / "a"), "--seed", "3"]) == 0
    for split, n in (("train", 101), ("valid", 20), ("test", 21)):
        rows = _rows(tmp_path / "a" / f"{split}.txt")
        source = [line.split() for line in (ptb / f"ptb.{split}.txt").read_text().splitlines()]
        usable = [s for s in source if len(s) >= 4 and len(set(s)) >= 2]
        assert len(usable) == n
        counts = Counter(label for label, _ in rows)
        assert counts["real"] == counts["shuffled"] == n // 2  # the odd one out is dropped
        bags = Counter(" ".join(sorted(s)) for s in usable)
        used: Counter[str] = Counter()
        for label, sentence in rows:
            words = sentence.split()
            used[" ".join(sorted(words))] += 1  # a permutation of one usable sentence
            if label == "real":
                assert words in usable
            else:
                assert words not in usable or bags[" ".join(sorted(words))] > 1
        assert all(used[b] <= bags[b] for b in used)  # no sentence appears twice


def test_the_same_seed_gives_the_same_files_and_another_seed_others(tmp_path: Path) -> None:
    ptb = _fake_ptb(tmp_path / "ptb")
    mod = _script()
    for out, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        mod.main(["--ptb", str(ptb), "--out", str(tmp_path / out), "--seed", seed])
    read = {o: (tmp_path / o / "train.txt").read_text() for o in "abc"}
    assert read["a"] == read["b"] != read["c"]


def test_a_shuffle_is_a_different_order_of_the_same_words() -> None:
    mod, rng = _script(), np.random.default_rng(0)
    for words in (["a", "b"], ["a", "a", "b"], ["x", "y", "x", "y"], list("abcdefgh")):
        for _ in range(50):
            out = mod.shuffled(words, rng)
            assert out != words and sorted(out) == sorted(words)
