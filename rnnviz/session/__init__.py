"""The app's state with no Qt: a workspace of model sessions sharing one text and cursor."""

from rnnviz.session.model_session import ModelSession, Prediction, SessionError
from rnnviz.session.session import Session
from rnnviz.session.workspace import MAX_MODELS, TracedWord, UnitRef, Workspace

__all__ = ["MAX_MODELS", "ModelSession", "Prediction", "Session", "SessionError", "TracedWord",
           "UnitRef", "Workspace"]
