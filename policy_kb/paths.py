"""Where the knowledge base reads its sources and writes its artefacts."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
SOURCES_DIR = PACKAGE_DIR / "sources"
BUILD_DIR = REPO_ROOT / "build"
DEFAULT_DB = BUILD_DIR / "policy_kb.sqlite"
JIEBA_DIR = BUILD_DIR / "jieba"
USERDICT = JIEBA_DIR / "userdict.txt"
NLU_LOOKUPS = REPO_ROOT / "bot" / "rasa" / "data" / "nlu" / "lookups_generated.yml"
SEEDS_DIR = SOURCES_DIR / "raw"  # the official texts the sources reproduce (README.md there)
