# 技改政策助手 — every target has a one-line help: `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
MODEL := models/current.tar.gz
KB := build/policy_kb.sqlite
KB_INPUTS := $(wildcard policy_kb/sources/*.yaml) $(wildcard policy_kb/*.py)
TRAIN_INPUTS := config.yml $(shell find bot/rasa/domain bot/rasa/data nlu -type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' \) 2>/dev/null) $(KB)

.PHONY: help setup kb train run test test-fast lint bench eval validate stories clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 20

setup: $(STAMP) ## create .venv from Python 3.10 and install the pinned dependencies

$(STAMP): pyproject.toml constraints.txt scripts/find-python310.sh
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
		python310=$$(scripts/find-python310.sh) || exit 1; \
		echo "使用 $$python310 创建 .venv"; rm -rf $(VENV); "$$python310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

kb: $(KB) ## build the knowledge base (SQLite), the jieba dictionary and lookup tables

$(KB): $(STAMP) $(KB_INPUTS)
	$(VENV)/bin/policybot kb build

train: $(MODEL) ## train the Rasa model (only when config, domain, data or the KB changed)

$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	$(RASA) train --config config.yml --domain bot/rasa/domain --data bot/rasa/data --out models --fixed-model-name current

validate: $(STAMP) $(KB) ## check domain and training data agree (rasa data validate)
	$(RASA) data validate --config config.yml --domain bot/rasa/domain --data bot/rasa/data

run: setup kb train ## set everything up and run the assistant (web chat at http://127.0.0.1:8000)
	$(VENV)/bin/policybot run

test: setup kb train ## set everything up and run all tests (data validation, pytest, Rasa test stories)
	scripts/test-deps.sh
	$(MAKE) --no-print-directory validate
	$(PY) -m pytest -q -p no:cacheprovider
	$(MAKE) --no-print-directory stories

test-fast: setup kb train ## unit and component tests only, no stack, cluster or browser (about 2 min)
	$(PY) -m pytest -q -p no:cacheprovider -m "not slow and not stack and not browser and not cluster"

stories: setup kb train ## run the Rasa test stories against the real action server
	$(PY) -m bot.dev.testing stories

lint: setup ## ruff over the code
	$(VENV)/bin/ruff check bot nlu actions policy_kb tests

eval: setup kb train ## held-out NLU (reports/nlu.md) and answers through the real stack (reports/answers-*.md)
	$(PY) -m bot.dev.testing nlu-eval
	$(PY) -m bot.dev.testing answers-eval dev
	$(PY) -m bot.dev.testing answers-eval dev2
	$(PY) -m bot.dev.testing answers-eval dev3
	$(PY) -m bot.dev.testing answers-eval dev4
	$(PY) -m bot.dev.testing answers-eval dev5
	$(PY) -m bot.dev.testing answers-eval dev6
	$(PY) -m bot.dev.testing answers-eval dev7
	$(PY) -m bot.dev.testing answers-eval dev8
	$(PY) -m bot.dev.testing answers-eval dev9
	$(PY) -m bot.dev.testing answers-eval dev10
	$(PY) -m bot.dev.testing answers-eval dev11
	$(PY) -m bot.dev.testing answers-eval dev12
	$(PY) -m bot.dev.testing answers-eval dev13
	$(PY) -m bot.dev.testing answers-eval dev14
	$(PY) -m bot.dev.testing answers-eval dev15
	$(PY) -m bot.dev.testing answers-eval dev16
	$(PY) -m bot.dev.testing answers-eval dev17
	$(PY) -m bot.dev.testing answers-eval dev18
	$(PY) -m bot.dev.testing answers-eval dev19
	$(PY) -m bot.dev.testing answers-eval dev20
	$(PY) -m bot.dev.testing answers-eval dev21
	$(PY) -m bot.dev.testing answers-eval dev22
	$(PY) -m bot.dev.testing answers-eval dev23
	$(PY) -m bot.dev.testing answers-eval dev24
	$(PY) -m bot.dev.testing answers-eval dev25
	$(PY) -m bot.dev.testing answers-eval dev27
	$(PY) -m bot.dev.testing answers-eval dev28
	$(PY) -m bot.dev.testing answers-eval dev29
	$(PY) -m bot.dev.testing answers-eval dev30
	$(PY) -m bot.dev.testing answers-eval dev31
	$(PY) -m bot.dev.testing answers-eval dev32
	$(PY) -m bot.dev.testing answers-eval dev33
	$(PY) -m bot.dev.testing answers-eval dev34
	$(PY) -m bot.dev.testing answers-eval dev35
	$(PY) -m bot.dev.testing answers-eval dev36
	$(PY) -m bot.dev.testing answers-eval dev37
	$(PY) -m bot.dev.testing answers-eval dev38
	$(PY) -m bot.dev.testing answers-eval dev39
	$(PY) -m bot.dev.testing answers-eval dev40
	$(PY) -m bot.dev.testing answers-eval heldout

bench: setup kb train ## print the speed and quality figures (KB search, rules, bureau matching, NLU, conversation)
	$(PY) bench/bench_kb.py
	$(PY) bench/bench_rules.py
	$(PY) bench/bench_bureau.py
	$(PY) -m bot.dev.testing nlu-eval
	$(PY) bench/bench_chat.py
	$(PY) bench/bench_train.py

.PHONY: load run-cluster test-services

load: setup kb train ## load test on loopback: N=8 conversations for T=60 s, users pausing THINK=1 s (THINK=0: back to back)
	$(PY) bench/load.py --conversations $(or $(N),8) --seconds $(or $(T),60) --think $(or $(THINK),1)

run-cluster: setup kb train ## scale-out: 2 Rasa + 2 action servers, PostgreSQL tracker store, Redis lock store
	@trap 'scripts/test-services.sh stop' EXIT; eval "$$(scripts/test-services.sh start)"; \
	POLICYBOT_TRACKER_STORE_URL="$$POLICYBOT_TEST_PG_URL" POLICYBOT_REDIS_HOST="$$POLICYBOT_TEST_REDIS_HOST" \
	POLICYBOT_REDIS_PORT="$$POLICYBOT_TEST_REDIS_PORT" POLICYBOT_REDIS_PASSWORD="$$POLICYBOT_TEST_REDIS_PASSWORD" \
	$(PY) -m bot.stack.cluster

test-services: ## start PostgreSQL and Redis on loopback (stop: scripts/test-services.sh stop)
	scripts/test-services.sh start

clean: ## remove build artefacts (keeps .venv)
	rm -rf build models var results .rasa
