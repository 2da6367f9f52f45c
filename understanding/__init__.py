"""Understanding: a statement's text and context → features → the learned model's kind probabilities."""
