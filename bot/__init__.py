"""技改政策助手 around its conversation, one subpackage per role.

- `bot.rasa`: the Rasa project (domain, data, endpoints, credentials) and its plug-ins;
- `bot.gateway`: the FastAPI gateway (app, dependencies, routers, middleware, Rasa clients);
- `bot.channels`: WeChat Official Account and WeCom;
- `bot.helpdesk`: tickets, triage and human takeover (a library, no FastAPI);
- `bot.stack`: process supervision (single node, cluster) and backups;
- `bot.dev`: development tools (test drivers, evaluations);
- `bot.settings`, `bot.logging_setup`, `bot.cli`: settings, log redaction, the `policybot` command.
"""
