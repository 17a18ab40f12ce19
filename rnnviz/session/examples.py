"""resources/examples.txt read with its comments: sections, notes (tooltips) and directives.

The format stays what the sentence bar has always read (one example a line, '#' lines are
comments, 'char: TEXT' for character-level models, '\\n' for a newline); comments gain meaning:

- ``## Title`` starts a section (a header or submenu in the Examples menu);
- ``# text`` lines form a note, the tooltip of every example line that follows, until a blank
  line, a new section, or a comment line after an example;
- ``#! models: A B C`` (bundled model names to open beside each other) and ``#! target: WORD``
  (the word traced at the last step) apply to the next example line only.

A reader that skips every '#' line sees the same examples in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnviz.checkpoints.bundled import resource_path

EXAMPLES_PATH = resource_path("examples.txt")
CHAR_PREFIX = "char:"


@dataclass(frozen=True)
class Example:
    """One example line. tokenizer: 'word' or 'char'; section and note: '' when none;
    models: bundled model names (file stems) to open for it; target: the traced word or None."""

    text: str
    tokenizer: str
    section: str = ""
    note: str = ""
    models: tuple[str, ...] = ()
    target: str | None = None


def parse_example_entries(text: str) -> list[Example]:
    """Every example of an examples file with its section, note and directives."""
    out: list[Example] = []
    section, note, directives = "", [], {}  # type: ignore[var-annotated]
    after_example = False
    for line in text.splitlines():
        s = line.strip()
        if not s:
            note, directives, after_example = [], {}, False
        elif s.startswith("##"):
            section, note, directives, after_example = s.lstrip("#").strip(), [], {}, False
        elif s.startswith("#!"):
            key, _, value = s[2:].partition(":")
            directives[key.strip().lower()] = value.strip()
        elif s.startswith("#"):
            if after_example:
                note, after_example = [], False
            note.append(s[1:].strip())
        else:
            out.append(_example(line, s, section, note, directives))
            directives, after_example = {}, True
    return out


def _example(line: str, s: str, section: str, note: list[str],
             directives: dict[str, str]) -> Example:
    is_char = s.lower().startswith(CHAR_PREFIX)
    body = line.split(":", 1)[1].strip() if is_char else s
    return Example(body, "char" if is_char else "word", section,
                   " ".join(n for n in note if n).strip(),
                   tuple(directives.get("models", "").split()), directives.get("target") or None)


def load_example_entries(path: Path = EXAMPLES_PATH) -> list[Example]:
    """The entries of an examples file; an unreadable file gives none."""
    try:
        return parse_example_entries(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []


def menu_sections(entries: list[Example], tokenizer: str) -> list[tuple[str, list[Example]]]:
    """The examples a model with this tokenizer can run, grouped by section in file order:
    [(section title, examples)], empty sections left out (for the Examples menu)."""
    out: list[tuple[str, list[Example]]] = []
    for e in entries:
        if e.tokenizer != ("char" if tokenizer == "char" else "word"):
            continue
        if not out or out[-1][0] != e.section:
            out.append((e.section, []))
        out[-1][1].append(e)
    return out
