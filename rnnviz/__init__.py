"""rnnviz: step through recurrent language models and look inside."""

__version__ = "0.1.0"
