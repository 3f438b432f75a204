"""The Rasa project and its plug-ins: domain, training data, endpoints, credentials, the
bounded SQL tracker store and ``python -m bot.rasa.server`` (``rasa`` plus speed fixes)."""
