"""The corpus indexes the views share: the inspector builds one per model, the match list reads
it. One hub per process; entries are keyed by the model object and hold one index each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from rnnviz.corpus.index import CorpusIndex
from rnnviz.corpus.reader import CorpusText


class CorpusHub(QObject):
    """model id -> (model, corpus path, corpus, index); ``ready`` carries the model."""

    ready = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[int, tuple[Any, str, CorpusText, CorpusIndex]] = {}

    def publish(self, model: Any, path: str, corpus: CorpusText, index: CorpusIndex) -> None:
        live = {k: v for k, v in self.entries.items() if v[0] is not model}
        self.entries = {**dict(list(live.items())[-3:]), id(model): (model, path, corpus, index)}
        self.ready.emit(model)

    def get(self, model: Any) -> tuple[str, CorpusText, CorpusIndex] | None:
        entry = self.entries.get(id(model))
        if entry is None or entry[0] is not model:
            return None
        return entry[1], entry[2], entry[3]


_HUB: CorpusHub | None = None


def hub() -> CorpusHub:
    """The process's hub (created on first use, on the GUI thread)."""
    global _HUB
    if _HUB is None:
        _HUB = CorpusHub()
    return _HUB
