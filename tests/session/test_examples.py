"""resources/examples.txt: sections, notes and directives; the long passages are in the PTB
vocabulary and a word really returns from far back; old readers see the same examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnnviz.checkpoints.vocab import read_vocab_file, tokenize
from rnnviz.session.examples import EXAMPLES_PATH, Example, parse_example_entries

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
LONG = "Long passages: a word returns from far back"

SAMPLE = """# file documentation, reset by the blank line

## First
# note one
# continued
a b c
d e f
# a new note after an example
#! models: m1 m2
#! target: x
g h
i j

## Second
char: AB\\nC
k l
"""


def test_parse_sections_notes_and_directives() -> None:
    got = parse_example_entries(SAMPLE)
    assert got == [
        Example("a b c", "word", "First", "note one continued"),
        Example("d e f", "word", "First", "note one continued"),
        Example("g h", "word", "First", "a new note after an example", ("m1", "m2"), "x"),
        Example("i j", "word", "First", "a new note after an example"),
        Example("AB\\nC", "char", "Second"),
        Example("k l", "word", "Second"),
    ]


def _old_reader(text: str) -> list[tuple[str, str]]:
    """How the sentence bar has always read the file: skip blank and '#' lines."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            is_char = s.lower().startswith("char:")
            out.append((line.split(":", 1)[1].strip() if is_char else s,
                        "char" if is_char else "word"))
    return out


def test_same_examples_as_the_old_reader() -> None:
    text = EXAMPLES_PATH.read_text(encoding="utf-8")
    assert [(e.text, e.tokenizer) for e in parse_example_entries(text)] == _old_reader(text)


@pytest.fixture(scope="module")
def entries() -> list[Example]:
    return parse_example_entries(EXAMPLES_PATH.read_text(encoding="utf-8"))


def test_long_passages_return_a_word_from_far_back(entries: list[Example]) -> None:
    vocab = read_vocab_file(RESOURCES / "ptb_vocab.txt")
    long = [e for e in entries if e.section == LONG]
    assert len(long) >= 3
    for e in long:
        words = e.text.split()
        assert all(w in vocab.index or w == "." for w in words), e.text  # '.' reads as <eos>
        toks = tokenize(e.text, vocab, "word")
        assert 60 <= len(toks) <= 200 and not any(t.oov for t in toks)
        assert e.target is not None and e.note
        target = tokenize(e.target, vocab, "word")
        assert len(target) == 1 and not target[0].oov
        seen = [i for i, t in enumerate(toks) if t.id == target[0].id]
        assert seen and len(toks) - max(seen) >= 60, (e.target, seen, len(toks))


def test_ready_comparison(entries: list[Example]) -> None:
    compare = [e for e in entries if e.models]
    assert compare and compare[0].text.startswith("Tom was watching TV")
    assert compare[0].models == ("ptb-rnn", "ptb-gru", "ptb-lstm") and compare[0].target == "tom"
    for e in compare:
        for name in e.models:
            assert (RESOURCES / "models" / f"{name}.safetensors").is_file()


def test_every_word_example_has_a_section(entries: list[Example]) -> None:
    assert all(e.section for e in entries)
    assert entries[0].text.startswith("Tom was watching TV")  # the default sentence stays first


def test_menu_sections_group_by_tokenizer(entries: list[Example]) -> None:
    from rnnviz.session.examples import menu_sections

    word = menu_sections(entries, "word")
    titles = [t for t, _ in word]
    assert titles[0] == "The classics" and LONG in titles and len(set(titles)) == len(titles)
    assert sum(len(x) for _, x in word) == sum(e.tokenizer == "word" for e in entries)
    char = menu_sections(entries, "char")
    assert [t for t, _ in char] == ["Character-level examples (the Shakespeare model)"]
    assert all(e.tokenizer == "char" for _, xs in char for e in xs)
