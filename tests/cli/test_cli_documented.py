"""Every `policybot` command is documented in the README (STYLE: a test checks it)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "policybot"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from command_paths(command, path)
        else:
            yield path, command


def test_every_command_is_in_the_readme():
    missing = [path for path, _ in command_paths(main) if f"`{path}" not in README]
    assert not missing, f"not documented in README.md: {missing}"


def test_every_command_has_help_text():
    bare = [path for path, command in command_paths(main) if not (command.help or "").strip()]
    assert not bare, f"commands without help: {bare}"


def test_readme_starts_with_the_two_commands():
    first_lines = [line for line in README.splitlines()[:4] if line.startswith("make ")]
    assert [line.split()[1] for line in first_lines] == ["run", "test"]
