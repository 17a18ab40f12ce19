"""Open any supported model file: dispatch on content, apply vocabulary options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnviz.checkpoints import dlfs2, native, rwkv_hf, rwkv_pth, safe_pickle, torchfile
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
    if len(head) == 9 and head[8:9] == b"{":  # before pickle: a header length may end in 0x80
        return "safetensors"
    if head[:1] == b"\x80":
        return "pickle"
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


def _load(path: str, opts: VocabOptions) -> LoadedModel:
    if Path(path).is_dir() and rwkv_hf.is_hf_rwkv(path):
        return rwkv_hf.load(path, opts.vocab_file, opts.vocab_corpus)
    if not Path(path).is_file():
        raise CheckpointError(f"no such file: {path}")
    try:
        kind = sniff(path)
    except OSError as e:
        raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
    if kind == "safetensors" and rwkv_hf.is_hf_rwkv(path):
        return rwkv_hf.load(path, opts.vocab_file, opts.vocab_corpus)
    if kind == "zip" and rwkv_pth.looks_like_rwkv(path):
        return rwkv_pth.load(path, opts.vocab_file, opts.vocab_corpus)
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
