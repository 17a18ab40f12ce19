"""Bundled data, installed as the package ``rnnviz_resources``; found by
rnnviz.checkpoints.bundled.resource_root()."""
