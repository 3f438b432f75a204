"""Messaging channels in front of the one Rasa conversation: WeChat Official Account and WeCom.

The modules here know nothing about FastAPI: ``callback`` turns a signed (and possibly
encrypted) WeChat callback into an :class:`~bot.channels.callback.Inbound` message,
``replies`` turns Rasa's answers into WeChat-sized text, ``conversation`` applies the
5-second rule and de-duplicates retried deliveries, and ``wechat_api`` sends the answers
that missed the 5 seconds through the customer-service message API.
"""
