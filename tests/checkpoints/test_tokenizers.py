"""The tokenizer follows the vocabulary: ptb, words (wikitext style) and char; inference from
the vocabulary, the user's override, and the older 'word' name read as ptb."""

from __future__ import annotations

import json
import pickle
import re
import string
from pathlib import Path

import numpy as np
import pytest

from rnnviz.checkpoints import native
from rnnviz.checkpoints.loader import VocabOptions, load_model
from rnnviz.checkpoints.vocab import Vocab, infer_tokenizer, tokenize, vocab_from_corpus
from rnnviz.checkpoints.vocab_sources import PTB_VOCAB_PATH, read_vocab
from rnnviz.engine.params import random_params
from tests.conftest import SHARED, need

WIKITEXT = SHARED / "data" / "wikitext-2"
#: A wikitext-2 style vocabulary (tokens as the corpus writes them), for runs without ../shared.
WIKI_WORDS = ("<eos>", "=", "Valkyria", "Chronicles", "III", "<unk>", "in", "2010", ",", "the",
              "game", "was", "released", ".", "The", "It", "sold", "2", "@,@", "000", "copies",
              "at", "3", "@.@", "5", "a", "well", "@-@", "known", "(", ")", ";", "\"", "'s",
              "Japan", "don", "'t", "know")


@pytest.fixture(scope="module")
def wikitext_vocab() -> Vocab:
    """WikiText-2's vocabulary as word_language_model's data.py builds it (first appearance,
    <eos> per line) over the valid and test files shipped with pytorch/examples."""
    files = [need(WIKITEXT / "valid.txt"), need(WIKITEXT / "test.txt")]
    return vocab_from_corpus(files)


def _texts(text: str, vocab: Vocab, kind: str = "words") -> list[str]:
    return [t.text for t in tokenize(text, vocab, kind)]


@pytest.mark.parametrize(("typed", "want"), [
    ("in 2010, the game was released.", "in 2010 , the game was released ."),
    ("in 2010. The game", "in 2010 . The game"),
    ("It sold 2,000 copies at 3.5", "It sold 2 @,@ 000 copies at 3 @.@ 5"),
    ("a well-known game (in Japan);", "a well @-@ known game ( in Japan ) ;"),
    ("the game's \"copies\"", "the game 's \" copies \""),
    ("don't know", "don 't know"),
])
def test_words_splits_into_the_vocabulary_tokens(typed: str, want: str) -> None:
    vocab = Vocab(WIKI_WORDS)
    toks = tokenize(typed, vocab, "words")
    assert [t.text for t in toks] == want.split()
    assert not any(t.oov for t in toks)
    assert [t.id for t in toks] == [WIKI_WORDS.index(w) for w in want.split()]


def test_words_marks_unknown_pieces_oov() -> None:
    toks = tokenize("the Zorblax, game", Vocab(WIKI_WORDS), "words")
    assert [(t.text, t.oov) for t in toks] == [("the", False), ("<unk>", True), (",", False),
                                               ("game", False)]
    assert [t.oov for t in tokenize("<unk> game", Vocab(WIKI_WORDS), "words")] == [False, False]


def test_issue_sentences_with_the_wikitext2_vocabulary(wikitext_vocab: Vocab) -> None:
    assert _texts("in 2010, the game was released.", wikitext_vocab) == \
        "in 2010 , the game was released .".split()
    assert _texts("in 2010. The game", wikitext_vocab) == "in 2010 . The game".split()
    # PTB rules on the same vocabulary drop ',' and turn '.' into <eos> (what the issue saw)
    assert "," not in _texts("in 2010, the game", wikitext_vocab, "ptb")


def _as_typed(line: str) -> str:
    """A corpus line written as a person types it: wikitext's @x@ joined, no space before
    closing punctuation or after an opening parenthesis."""
    s = line.replace(" @,@ ", ",").replace(" @.@ ", ".").replace(" @-@ ", "-")
    return re.sub(r"\( ", "(", re.sub(r" ([,.;:!?)'])", r"\1", s))


def test_typed_wikitext_lines_give_back_the_corpus_tokens(wikitext_vocab: Vocab) -> None:
    """Reference: the corpus's own tokenization. Lines with <unk> (which a person never types)
    and headings are left out."""
    lines = [ln.split() for name in ("valid.txt", "test.txt")
             for ln in (WIKITEXT / name).read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.strip().startswith("=") and "<unk>" not in ln]
    assert len(lines) > 300
    same = sum(_texts(_as_typed(" ".join(toks)), wikitext_vocab) == toks for toks in lines)
    assert same / len(lines) >= 0.98, f"{same} of {len(lines)} lines"


def test_inference_from_the_vocabulary(wikitext_vocab: Vocab) -> None:
    assert infer_tokenizer(read_vocab(PTB_VOCAB_PATH))[0] == "ptb"
    assert infer_tokenizer(wikitext_vocab)[0] == "words"
    assert infer_tokenizer(Vocab(WIKI_WORDS))[0] == "words"
    assert infer_tokenizer(Vocab(("<unk>", "the", "Paris", "cat")))[0] == "words"  # mixed case
    assert infer_tokenizer(Vocab(tuple(string.printable)))[0] == "char"


def _torch_file(tmp_path: Path, words: tuple[str, ...]) -> tuple[Path, Path]:
    import torch

    from rnnviz.engine.params import named_arrays

    p = random_params("gru", len(words), 5, layers=1, seed=2)
    path = tmp_path / "m.pt"
    torch.save({k: torch.from_numpy(v) for k, v in named_arrays(p).items()}, path)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("".join(f"{w}\n" for w in words), encoding="utf-8")
    return path, vocab


def test_pytorch_file_infers_words_with_a_notice_and_the_flag_overrides(tmp_path: Path) -> None:
    path, vocab = _torch_file(tmp_path, WIKI_WORDS)
    m = load_model(path, VocabOptions(vocab_file=str(vocab)))
    assert m.tokenizer == "words"
    assert any("names no tokenizer: using words" in n for n in m.notices)
    assert [t.text for t in m.tokenize("in 2010, the game")] == ["in", "2010", ",", "the", "game"]
    m2 = load_model(path, VocabOptions(vocab_file=str(vocab), tokenizer="ptb"))
    assert m2.tokenizer == "ptb" and not any("tokenizer" in n for n in m2.notices)


def test_native_old_word_is_read_as_ptb_and_words_round_trips(tmp_path: Path) -> None:
    p = random_params("lstm", len(WIKI_WORDS), 4, layers=1, seed=1)
    native.save(tmp_path / "a.safetensors", p, Vocab(WIKI_WORDS), "words")
    assert load_model(tmp_path / "a.safetensors").tokenizer == "words"
    assert native.read_meta(tmp_path / "a.safetensors")["tokenizer"] == "words"
    native.save(tmp_path / "b.safetensors", p, Vocab(WIKI_WORDS), "word")  # the older name
    assert load_model(tmp_path / "b.safetensors").tokenizer == "ptb"
    forced = load_model(tmp_path / "a.safetensors", VocabOptions(tokenizer="char"))
    assert forced.tokenizer == "char"


def test_bundled_models_keep_their_tokenizers() -> None:
    from rnnviz.checkpoints.bundled import bundled_models

    models = bundled_models()
    assert load_model(models["demo-lstm"]).tokenizer == "ptb"
    assert load_model(models["shakespeare-char-lstm"]).tokenizer == "char"


def _write_vocab(kind: str, path: Path, chars: str) -> None:
    if kind == "json":
        path.write_text(json.dumps(list(chars)), encoding="utf-8")
    elif kind == "pickled-list":
        path.write_bytes(pickle.dumps(list(chars)))
    elif kind == "pickled-str":
        path.write_bytes(pickle.dumps(chars))
    else:  # one token a line, escapes for the newline, tab, CR and backslash
        esc = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}
        path.write_text("".join(esc.get(c, c) + "\n" for c in chars), encoding="utf-8",
                        newline="\n")


@pytest.mark.parametrize("kind", ["json", "pickled-list", "pickled-str", "text"])
def test_char_vocabularies_in_every_form(tmp_path: Path, kind: str) -> None:
    path = tmp_path / ("v.json" if kind == "json" else "v.txt")
    _write_vocab(kind, path, string.printable)
    vocab = read_vocab(path)
    assert vocab.tokens == tuple(string.printable) and len(vocab) == 100
    ids = [t.id for t in tokenize("Hi!\n\tok\\", vocab, "char")]
    assert ids == [string.printable.index(c) for c in "Hi!\n\tok\\"]


def test_text_vocab_unescapes_only_the_four_escapes(tmp_path: Path) -> None:
    path = tmp_path / "v.txt"
    path.write_text("a\\/b\n\\n\nx\\*\n", encoding="utf-8")  # PTB's own a\/b and \* stay
    assert read_vocab(path).tokens == ("a\\/b", "\n", "x\\*")
    assert np.array_equal(np.arange(3), [read_vocab(path).index[t]
                                         for t in ("a\\/b", "\n", "x\\*")])


def test_word_language_model_file_trained_on_wikitext2() -> None:
    """A whole-module file written by word_language_model's own main.py on WikiText-2, and that
    model's probabilities on the corpus-tokenized sentence (../shared, with the script)."""
    from tests.checkpoints.helpers import engine_steps

    folder = SHARED / "data" / "word-language-model-wt2"
    path = need(folder / "wt2-lstm.pt")
    valid, test = need(WIKITEXT / "valid.txt"), need(WIKITEXT / "test.txt")
    m = load_model(path, VocabOptions(vocab_corpus=(str(valid), str(valid), str(test))))
    assert m.tokenizer == "words" and any("using words" in n for n in m.notices)
    toks = m.tokenize("in 2010, the game was released. It sold 2,000 copies in a well-known shop")
    assert " ".join(t.text for t in toks) == ("in 2010 , the game was released . It sold 2 @,@ "
                                              "000 copies in a well @-@ known shop")
    assert [t.id for t in toks] == json.loads((folder / "ref_ids.json").read_text())
    assert not any(t.oov for t in toks)
    want = np.load(folder / "ref_probs.npy")
    np.testing.assert_allclose(engine_steps(m.params, [t.id for t in toks])[0], want, atol=2e-6)
