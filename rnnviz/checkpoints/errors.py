"""The one error type every loader raises: its message is shown to the user as one line."""


class CheckpointError(ValueError):
    """A file that cannot be opened as a model; ``str(err)`` names the problem in one line."""
