"""Helpdesk: tickets, triage, human takeover of a conversation, and the staff console's back end.

What the bot cannot settle goes to people (docs/conversation.md §6). The pieces:

- `bot.helpdesk.store`: tickets, staff users, tokens, audit, feedback and fallback log in SQL
  (SQLite under the data directory, PostgreSQL when `POLICYBOT_TICKET_STORE_URL` is set);
- `bot.helpdesk.triage`: suggested category, department and urgency, with a Chinese explanation;
- `bot.helpdesk.handoff`: the bot stays silent while a person holds the conversation;
- `bot.helpdesk.cli`: `policybot staff …` and `policybot report`.
"""
