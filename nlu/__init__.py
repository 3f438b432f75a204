"""Custom Rasa NLU components for Chinese policy questions.

`nlu.normalise` is pure Python (no Rasa): text normalisation and amount parsing.
`nlu.components` holds the Rasa graph components named in `config.yml`.
"""
