"""The torch trainer and corpus readers (no Qt)."""
