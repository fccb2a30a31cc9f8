"""The README documents every command, and its Quickstart is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click

from cocoon.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix: str = "cocoon") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(all_commands(command, f"{prefix} {name}"))
    return names


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Quickstart has no bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_every_command_is_documented_in_the_readme():
    missing = [name for name in all_commands(main) if f"`{name}" not in README and f"{name} " not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def test_quickstart_has_exactly_two_commands():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "cocoon demo" in commands[0]
    assert "pip install" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert command.help and len(command.help.split()) >= 5, f"cocoon {name} has no real help text"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and param.name != "help":
                assert param.help, f"cocoon {name} {param.opts[0]} has no help text"
