"""Facts a company states about its own incidents, read from its words (pure functions, no I/O)."""
