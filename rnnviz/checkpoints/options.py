"""What the user chose when opening a file (flags or the open dialog); every loader takes it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VocabOptions:
    """User choices for files that carry no vocabulary (PyTorch files, the book's pickles...).

    vocab_file: one token a line (``\\n``, ``\\t``, ``\\r``, ``\\\\`` escaped), a JSON list, the
        book's ptb.vocab.pkl, or a pickled list or string of tokens.
    vocab_corpus: corpus files; vocabulary = first appearance with <eos> per line.
    cell: 'rnn_tanh' or 'rnn_relu' for PyTorch RNN files (shapes cannot tell).
    tokenizer: 'ptb', 'words' or 'char' to override the file's (or the inferred) tokenizer.
    """

    vocab_file: str | None = None
    vocab_corpus: tuple[str, ...] = ()
    cell: str | None = None
    tokenizer: str | None = None
