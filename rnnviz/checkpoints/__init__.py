"""Model files -> engine parameters, vocabularies and tokenizers.

``loader`` is the one dispatch point: it sniffs a file's kind and calls that format's entry
``load(path, opts) -> LoadedModel`` (sniff -> read -> map):

- ``native``: rnnviz .safetensors;
- ``torchfile``: PyTorch state_dicts and whole modules (``torch_module`` reads the latter with
  inert stand-ins), legacy pre-zip files;
- ``pickled``: plain pickles, handed on by content to ``dlfs2`` (the book) or ``minchar``;
- ``minchar``: min-char-rnn's .npz (and its pickles via ``pickled``).

Below them: ``statedict`` (state_dict names -> parameters), ``vocab_sources`` (where a vocabulary
comes from), ``vocab`` (vocabularies and the ptb / words / char tokenizers), ``safe_pickle``
(the restricted unpickler) and ``bundled`` (paths of the bundled resources).
"""
