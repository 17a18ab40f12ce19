"""Plain pickles: the file is unpickled once with numpy arrays as the only globals, and the object
it holds says its format: the book's params list, min-char-rnn's dict, or a legacy (pre-zip)
torch.save file, whose first object is torch's magic number."""

from __future__ import annotations

from rnnviz.checkpoints import dlfs2, minchar, safe_pickle, torchfile
from rnnviz.checkpoints.errors import CheckpointError
from rnnviz.checkpoints.model import LoadedModel
from rnnviz.checkpoints.options import VocabOptions


def load(path: str, opts: VocabOptions) -> LoadedModel:
    """The loader's entry for pickles."""
    obj = safe_pickle.load_file(path, minchar.PICKLE_GLOBALS)
    if isinstance(obj, int) and obj == torchfile.LEGACY_MAGIC:
        return torchfile.load_legacy(path, opts)
    if isinstance(obj, list):
        return dlfs2.from_object(obj, path, opts.vocab_file, opts.vocab_corpus)
    if isinstance(obj, dict) and minchar.is_minchar(obj):
        return minchar.from_mapping(obj, path, opts)
    raise CheckpointError(f"a pickle of a {type(obj).__name__}: not one of the book's models "
                          "(a list of arrays) nor min-char-rnn's (a dict with Wxh, Whh, Why, "
                          "bh, by and char_to_ix)")
