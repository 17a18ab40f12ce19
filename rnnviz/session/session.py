"""A single-model session: a :class:`ModelSession` with a workspace of its own (scripts, tests and
anything that looks at one model only)."""

from __future__ import annotations

from rnnviz.session.model_session import ModelSession
from rnnviz.session.workspace import Workspace


class Session(ModelSession):
    """One model, one text: ``Session()`` then ``set_model`` and ``set_text``."""

    def __init__(self, workspace: Workspace | None = None) -> None:
        super().__init__(workspace if workspace is not None else Workspace())
        self.workspace.attach(self)
