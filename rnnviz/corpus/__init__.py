"""Corpus-level analysis with no Qt: reading a corpus, the memory-mapped state index, top
contexts, LSTMVis-style select and match, annotation labels and the unit finder."""
