"""numpy-only RNN language-model engine: cells, stacked network, step records, BPTT norms."""
