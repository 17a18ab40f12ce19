"""Open any supported model file: dispatch on content, apply vocabulary options."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from rnnviz.checkpoints import dlfs2, native, safe_pickle, torchfile
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.vocab import VocabError
from rnnviz.engine.params import ParamError


@dataclass(frozen=True)
class VocabOptions:
    """User choices for files that carry no vocabulary (PyTorch files, the book's pickles).

    vocab_file: one token a line, or the book's ptb.vocab.pkl.
    vocab_corpus: corpus files; vocabulary = first appearance with <eos> per line.
    cell: 'rnn_tanh' or 'rnn_relu' for PyTorch RNN files (shapes cannot tell).
    """

    vocab_file: str | None = None
    vocab_corpus: tuple[str, ...] = ()
    cell: str | None = None


def sniff(path: str | Path) -> str:
    """'safetensors', 'zip' (torch.save), 'pickle' or 'unknown', from the first bytes."""
    with open(path, "rb") as f:
        head = f.read(9)
    if head[:4] == b"PK\x03\x04":
        return "zip"
    if head[:1] == b"\x80":
        return "pickle"
    if len(head) == 9 and head[8:9] == b"{":
        return "safetensors"
    return "unknown"


def _load_pickle(path: str, opts: VocabOptions) -> LoadedModel:
    """The book's float16 list, or a legacy (pre-zip) torch.save file."""
    obj = safe_pickle.load_file(path, safe_pickle.NUMPY_ARRAYS)
    if isinstance(obj, int) and obj == torchfile.LEGACY_MAGIC:
        return torchfile.load_legacy(path, opts.vocab_file, opts.vocab_corpus, opts.cell)
    return dlfs2.from_object(obj, path, opts.vocab_file, opts.vocab_corpus)


def load_model(path: str | Path, opts: VocabOptions | None = None) -> LoadedModel:
    """Load a model file of any supported format. Raises CheckpointError (one line)."""
    try:
        return _load(str(path), opts or VocabOptions())
    except CheckpointError:
        raise
    except (VocabError, ParamError) as e:
        raise CheckpointError(str(e)) from None
    except MemoryError:
        raise CheckpointError("corrupt file: it claims more memory than is available") from None
    except RecursionError:
        raise CheckpointError("corrupt file: nested too deeply") from None
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    except Exception as e:  # a last guard: a corrupt file must never end in a traceback
        msg = " ".join(str(e).split())[:200]
        raise CheckpointError(f"cannot read the file as a model ({type(e).__name__}: {msg})"
                              ) from None


def check_regular_file(path: str) -> None:
    """Refuse, in one line, anything that is not a readable regular file: a directory, a FIFO
    (opening one would block), a device, a symlink loop, a missing path."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise CheckpointError(f"no such file: {path}") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise CheckpointError(f"symbolic link loop: {path}") from None
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(mode):
        raise CheckpointError(f"{path} is a folder, not a model file")
    if stat.S_ISFIFO(mode):
        raise CheckpointError(f"{path} is a named pipe (FIFO), not a model file")
    if not stat.S_ISREG(mode):
        raise CheckpointError(f"{path} is not a regular file (a device or socket)")


def _load(path: str, opts: VocabOptions) -> LoadedModel:
    check_regular_file(path)
    try:
        kind = sniff(path)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if kind == "safetensors":
        model = native.load(path)
        if opts.vocab_file or opts.vocab_corpus:
            notice = "--vocab/--vocab-corpus ignored: the file carries its own vocabulary"
            model = LoadedModel(model.params, model.vocab, model.tokenizer, model.format,
                                model.path, model.meta, (*model.notices, notice))
        return model
    if kind == "zip":
        return torchfile.load(path, opts.vocab_file, opts.vocab_corpus, opts.cell)
    if kind == "pickle":
        return _load_pickle(path, opts)
    raise CheckpointError(f"unsupported file format ({kind}); rnnviz reads .safetensors, "
                          "PyTorch .pt/.pth and the book's .pkl files")
