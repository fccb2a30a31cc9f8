"""The README documents every command and every option, and its Quickstart is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cocoon.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


SHARED_OPTIONS = "## Options shared by several commands"
"""The heading of the table of options that several commands take."""
CODE_BLOCK = re.compile(r"```.*?```", re.S)


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


def runnable_commands(group: click.Group = main, prefix: str = "cocoon") -> dict[str, click.Command]:
    """Every command a user runs, by its full name ("cocoon visits import")."""
    found: dict[str, click.Command] = {}
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.update(runnable_commands(command, f"{prefix} {name}"))
        else:
            found[f"{prefix} {name}"] = command
    return found


def option_flags(command: click.Command) -> list[str]:
    """The long flags that ``--help`` shows for a command (``--help`` itself aside)."""
    return [flag for param in command.params if isinstance(param, click.Option) and not param.hidden
            for flag in (*param.opts, *param.secondary_opts) if flag.startswith("--")]


def has_flag(text: str, flag: str) -> bool:
    """``--to`` in the text as a flag of its own, not as the start of ``--to-column``."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def named_commands(text: str) -> set[str]:
    """The commands a piece of the README names, e.g. `cocoon signs up`."""
    return {name for name in runnable_commands() if re.search(rf"{re.escape(name)}(?![\w-])", text)}


def sections() -> list[tuple[str, str]]:
    """The README's level-2 sections (each with its subsections) as (heading, text)."""
    parts = re.split(r"^(?=## )", README, flags=re.M)
    return [(part.splitlines()[0], part) for part in parts if part.startswith("## ")]


def readme_text_for(command: str) -> str:
    """What the README says about one command, without its examples (code blocks).

    A section belongs to the commands its heading names; a section whose heading names no
    command belongs to every command it uses (``cocoon plan ... --maps``).
    """
    texts = []
    for heading, text in sections():
        in_heading = named_commands(heading)
        if command in in_heading or (not in_heading and command in named_commands(text)):
            texts.append(CODE_BLOCK.sub("", text))
    return "\n".join(texts)


def shared_options() -> dict[str, set[str]]:
    """The shared options table: each flag and the commands its row names ("cocoon" is the program itself)."""
    assert f"\n{SHARED_OPTIONS}\n" in README, f"README.md has no section {SHARED_OPTIONS!r}"
    section = README.split(f"\n{SHARED_OPTIONS}\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for row in section.splitlines():
        if not row.startswith("| `"):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert len(cells) == 3, f"a row of the shared options table needs Option | Commands | Meaning: {row}"
        option, commands, meaning = cells
        assert meaning, f"the shared options table explains nothing for {option}"
        if commands == "every command":
            named = set(runnable_commands())
        else:
            named = {"cocoon" if name == "cocoon" else f"cocoon {name}" for name in re.findall(r"`([^`]+)`", commands)}
        assert named, f"the shared options table names no command for {option}"
        for flag in re.findall(r"--[a-z][\w-]*", option):
            table.setdefault(flag, set()).update(named)
    return table


def test_every_option_is_documented_in_the_readme():
    """Each flag that --help shows appears in the README's text for its command or in the shared table."""
    shared = shared_options()
    missing = [f"cocoon {flag}" for flag in option_flags(main) if "cocoon" not in shared.get(flag, set())]
    for name, command in runnable_commands().items():
        text = readme_text_for(name)
        assert text, f"README.md has no section about {name}"
        missing += [f"{name} {flag}" for flag in option_flags(command)
                    if not has_flag(text, flag) and name not in shared.get(flag, set())]
    assert not missing, f"options missing from README.md: {missing}"


def test_the_shared_options_table_names_real_options_of_real_commands():
    commands = {"cocoon": main, **runnable_commands()}
    wrong = [f"{name} {flag}" for flag, names in shared_options().items() for name in sorted(names)
             if name not in commands or flag not in option_flags(commands[name])]
    assert not wrong, f"the shared options table of README.md lists options these commands do not have: {wrong}"


def test_every_option_the_readme_names_exists():
    known = {"--help", *option_flags(main)}
    for command in runnable_commands().values():
        known.update(option_flags(command))
    stale = sorted(set(re.findall(r"(?<![\w-])--[a-z][\w-]*", README)) - known)
    assert not stale, f"README.md names options that no command has: {stale}"


@pytest.mark.parametrize("args", [("plan", "--help", "--lang", "sv"), ("plan", "--lang", "sv", "--help"),
                                  ("visits", "import", "--help", "--lang=sv")])
def test_help_follows_the_language(args):
    result = CliRunner().invoke(main, list(args), prog_name="cocoon")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Användning: cocoon")
    assert "Exempel:" in result.output and "Flaggor" in result.output


def test_help_follows_cocoon_lang_and_every_command_has_a_swedish_description():
    runner = CliRunner(env={"COCOON_LANG": "sv"})
    listing = runner.invoke(main, ["--help"], prog_name="cocoon").output
    assert "Kommandon:" in listing and "Bedöm zonerna" in listing
    for name, command in runnable_commands().items():
        words = name.split()[1:]
        swedish = runner.invoke(main, [*words, "--help"], prog_name="cocoon").output
        english = CliRunner(env={"COCOON_LANG": "en"}).invoke(main, [*words, "--help"], prog_name="cocoon").output
        assert swedish.startswith("Användning: cocoon")
        assert command.help
        opening = " ".join(command.help.split()[:4])
        assert opening in english and opening not in swedish, f"{name} --help has no Swedish description"
