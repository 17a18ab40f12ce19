"""Tokenizers of real RWKV models: the RWKV World vocabulary and Hugging Face tokenizer.json.

World vocabulary (``rwkv_vocab_v20230424.txt``): one token a line, ``ID LITERAL LENGTH``, where
LITERAL is a Python str or bytes literal (read with ``ast.literal_eval``, never evaluated as
code) and LENGTH its UTF-8 byte length. Encoding is greedy longest match over bytes, as the
reference trie tokenizer does. ``tokenizer.json`` (GPT-NeoX's ``20B_tokenizer.json``) is read
by the ``tokenizers`` package, imported only when such a file is opened.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.vocab import Token, Vocab

Encoder = Callable[[str], list[Token]]
_WORLD_LINE = re.compile(r"^(\d+) (b?(?:'.*'|\".*\")) (\d+)$")


@dataclass(frozen=True)
class TextTokenizer:
    """A vocabulary (display strings by id) and the function that encodes text."""

    kind: str  # 'world' or 'hf'
    vocab: Vocab
    encode: Encoder
    source: str  # the file's text, kept so that a converted model carries its tokenizer

    def to_meta(self) -> dict[str, str]:
        """What a native file stores under ``subword_tokenizer``."""
        return {"kind": self.kind, "text": self.source}


def is_world_vocab(path: str | Path) -> bool:
    """True when the first line has the World vocabulary's ``ID LITERAL LENGTH`` form."""
    try:
        with open(path, encoding="utf-8") as f:
            return bool(_WORLD_LINE.match(f.readline().rstrip("\n")))
    except (OSError, UnicodeDecodeError):
        return False


def _display(raw: bytes) -> str:
    return raw.decode("utf-8", errors="backslashreplace")


def _unique_tokens(by_id: dict[int, bytes], size: int) -> tuple[str, ...]:
    """Display strings for ids 0..size-1: unused ids as <ID>, clashes made unique with #ID."""
    seen: set[str] = set()
    out = []
    for i in range(size):
        raw = by_id.get(i)
        s = f"<{i}>" if raw is None else _display(raw)
        if s in seen or s == "":
            s = f"{s}#{i}"
        seen.add(s)
        out.append(s)
    return tuple(out)


def read_world_vocab(text: str, path: str | Path = "vocabulary") -> dict[int, bytes]:
    """id -> token bytes from the file's text; a malformed line raises CheckpointError."""
    table: dict[int, bytes] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = _WORLD_LINE.match(line)
        if not m:
            raise CheckpointError(f"{path}:{n}: not a World vocabulary line")
        try:
            lit = ast.literal_eval(m.group(2))
        except (ValueError, SyntaxError):
            raise CheckpointError(f"{path}:{n}: bad token literal") from None
        raw = lit.encode("utf-8") if isinstance(lit, str) else lit
        if not isinstance(raw, bytes) or len(raw) != int(m.group(3)):
            raise CheckpointError(f"{path}:{n}: token length does not match")
        table[int(m.group(1))] = raw
    return table


class WorldEncoder:
    """Greedy longest match over UTF-8 bytes (the trie's walk, with one table per length)."""

    def __init__(self, table: dict[int, bytes], vocab: Vocab) -> None:
        self.ids = {raw: i for i, raw in table.items()}
        self.lengths = sorted({len(r) for r in table.values()}, reverse=True)
        self.vocab = vocab

    def encode_bytes(self, src: bytes) -> list[int]:
        out, i = [], 0
        while i < len(src):
            for n in self.lengths:
                tok = self.ids.get(src[i:i + n]) if i + n <= len(src) else None
                if tok is not None:
                    out.append(tok)
                    i += n
                    break
            else:
                raise CheckpointError(f"byte {src[i]:#x} has no token")
        return out

    def __call__(self, text: str) -> list[Token]:
        return [Token(self.vocab.tokens[i], i, False) for i in self.encode_bytes(text.encode())]


def world_tokenizer(path: str | Path, size: int, text: str | None = None) -> TextTokenizer:
    """The World vocabulary for a model with ``size`` rows (from ``text`` when given)."""
    if text is None:
        text = Path(path).read_text(encoding="utf-8")
    table = read_world_vocab(text, path)
    if not table:
        raise CheckpointError(f"{path}: the vocabulary is empty")
    if max(table) >= size:
        raise CheckpointError(f"vocabulary size mismatch: {path} has ids up to {max(table)} but "
                              f"the model has {size}")
    vocab = Vocab(_unique_tokens(table, size))
    return TextTokenizer("world", vocab, WorldEncoder(table, vocab), text)


def hf_tokenizer(path: str | Path, size: int, text: str | None = None) -> TextTokenizer:
    """A Hugging Face ``tokenizer.json`` (needs the ``tokenizers`` package)."""
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise CheckpointError("reading tokenizer.json needs the 'tokenizers' package "
                              "(pip install tokenizers)") from None
    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8")
        tok = Tokenizer.from_str(text)
    except Exception as e:  # the library's own errors carry no common base class
        raise CheckpointError(f"cannot read {path} as tokenizer.json ({e})") from None
    n = tok.get_vocab_size()
    if n > size:
        raise CheckpointError(f"vocabulary size mismatch: {path} has {n} tokens but the model "
                              f"has {size}")
    table = {i: (tok.id_to_token(i) or "").encode() for i in range(n)}
    vocab = Vocab(_unique_tokens({i: r for i, r in table.items() if r}, size))

    def encode(text: str) -> list[Token]:
        ids = tok.encode(text, add_special_tokens=False).ids
        return [Token(vocab.tokens[i], i, False) for i in ids]

    return TextTokenizer("hf", vocab, encode, text)


def from_meta(info: object, size: int) -> TextTokenizer:
    """Rebuild a tokenizer stored by :meth:`TextTokenizer.to_meta`."""
    if not (isinstance(info, dict) and info.get("kind") in ("world", "hf")
            and isinstance(info.get("text"), str)):
        raise CheckpointError("'subword_tokenizer' metadata must be {kind: world|hf, text}")
    build = world_tokenizer if info["kind"] == "world" else hf_tokenizer
    return build("stored tokenizer", size, info["text"])


def open_tokenizer(path: str | Path, size: int) -> TextTokenizer | None:
    """The tokenizer a vocabulary file describes, or None for a plain one-token-a-line file."""
    if str(path).endswith(".json"):
        return hf_tokenizer(path, size)
    if is_world_vocab(path):
        return world_tokenizer(path, size)
    return None
