"""The app's state with no Qt."""

from rnnviz.session.session import Prediction, Session, SessionError

__all__ = ["Prediction", "Session", "SessionError"]
