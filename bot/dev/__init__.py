"""Development tools, not part of the running product: test drivers (`python -m bot.dev.testing`),
the held-out NLU and answer evaluations, and the NLU development set (`bot.dev.nlu_dev`)."""
