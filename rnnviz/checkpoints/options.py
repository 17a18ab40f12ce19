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
    classes: a classifier's class names in fc's output order (``--classes "neg,pos"``).
    labels_file: the same, one name a line (``--labels FILE``).
    pool: what a classifier's fc reads, 'last-output' or 'final-states' (a state_dict cannot
        tell; default last-output, SampleRNN's out[:, -1, :]).
    """

    vocab_file: str | None = None
    vocab_corpus: tuple[str, ...] = ()
    cell: str | None = None
    tokenizer: str | None = None
    classes: tuple[str, ...] = ()
    labels_file: str | None = None
    pool: str | None = None
