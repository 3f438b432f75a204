"""The NLU development set (dev.yml) and the scripts that score a model on it."""
