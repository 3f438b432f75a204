"""The official texts live in the repository, unchanged, and every source names one of them."""

import hashlib
import re

import pytest

from policy_kb.loader import load_source
from policy_kb.paths import SEEDS_DIR, SOURCES_DIR

# The README beside the texts lists the SHA-256 of each file as received.
CHECKSUMS = dict(
    (name, digest)
    for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", (SEEDS_DIR / "README.md").read_text(encoding="utf-8"), re.M)
)


def test_every_text_has_a_checksum():
    texts = {p.name for p in SEEDS_DIR.iterdir() if p.name != "README.md"}
    assert texts and texts == set(CHECKSUMS)


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_text_is_byte_identical_to_the_one_received(name):
    assert hashlib.sha256((SEEDS_DIR / name).read_bytes()).hexdigest() == CHECKSUMS[name]


@pytest.mark.parametrize("path", sorted(SOURCES_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_source_names_a_text_in_the_repository(path):
    assert (SEEDS_DIR / load_source(path).source_file).is_file()
