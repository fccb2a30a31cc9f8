"""README and docs/ document every command and every option, the generated reference is up to date,
every relative link resolves, and the README's Quickstart is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cocoon.cli import main, reference

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = {path: path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]}
"""README.md and every page of docs/, by path."""
GENERATED = {DOCS / "commands.md", DOCS / "settings.md"}
"""The pages written by ``python -m cocoon.cli.reference``."""
WRITTEN = {path: page for path, page in PAGES.items() if path not in GENERATED}
"""The pages written by hand, which explain what the options do."""
COMMANDS_PAGE = PAGES[DOCS / "commands.md"]
SHARED_OPTIONS = DOCS / "options.md"
"""The page whose table lists the options that several commands take."""
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


def command_sections() -> dict[str, str]:
    """docs/commands.md's sections, by the command they are headed with ("cocoon signs up")."""
    parts = re.split(r"^## ", COMMANDS_PAGE, flags=re.M)[1:]
    return {part.splitlines()[0].strip(): part for part in parts}


def test_every_command_and_subcommand_has_its_help_in_the_commands_page():
    sections = command_sections()
    missing = [name for name in ["cocoon", *all_commands(main)] if name not in sections]
    assert not missing, f"docs/commands.md has no section for: {missing}"
    for name, command in {"cocoon": main, **runnable_commands()}.items():
        absent = [flag for flag in option_flags(command) if not has_flag(sections[name], flag)]
        assert not absent, f"docs/commands.md does not show {absent} under {name}"


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
    return [
        flag
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for flag in (*param.opts, *param.secondary_opts)
        if flag.startswith("--")
    ]


def has_flag(text: str, flag: str) -> bool:
    """``--to`` in the text as a flag of its own, not as the start of ``--to-column``."""
    return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) is not None


def named_commands(text: str) -> set[str]:
    """The commands a piece of the README names, e.g. `cocoon signs up`."""
    return {name for name in runnable_commands() if re.search(rf"{re.escape(name)}(?![\w-])", text)}


def sections() -> list[tuple[str, str]]:
    """The level-2 sections (each with its subsections) of the pages written by hand, as (heading, text);
    a page's title (its level-1 heading) heads the text before its first level-2 section."""
    found = []
    for page in WRITTEN.values():
        for part in re.split(r"^(?=## )", page, flags=re.M):
            if part.startswith("## ") or part.startswith("# "):
                found.append((part.splitlines()[0], part))
    return found


def readme_text_for(command: str) -> str:
    """What README and docs/ say about one command, without its examples (code blocks).

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
    section = PAGES[SHARED_OPTIONS]
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


def test_every_option_is_explained_in_readme_or_docs():
    """Each flag that --help shows appears in the hand-written text for its command or in the shared table."""
    shared = shared_options()
    missing = [f"cocoon {flag}" for flag in option_flags(main) if "cocoon" not in shared.get(flag, set())]
    for name, command in runnable_commands().items():
        text = readme_text_for(name)
        assert text, f"README.md and docs/ have no section about {name}"
        missing += [
            f"{name} {flag}"
            for flag in option_flags(command)
            if not has_flag(text, flag) and name not in shared.get(flag, set())
        ]
    assert not missing, f"options explained nowhere in README.md or docs/: {missing}"


def test_the_shared_options_table_names_real_options_of_real_commands():
    commands = {"cocoon": main, **runnable_commands()}
    wrong = [
        f"{name} {flag}"
        for flag, names in shared_options().items()
        for name in sorted(names)
        if name not in commands or flag not in option_flags(commands[name])
    ]
    assert not wrong, f"the shared options table of docs/options.md lists options these commands do not have: {wrong}"


def test_every_option_readme_and_docs_name_exists():
    known = {"--help", *option_flags(main)}
    for command in runnable_commands().values():
        known.update(option_flags(command))
    benchmarks = DOCS / "speed.md"  # its commands are the benchmarks', with their own options
    stale = {
        f"{path.relative_to(ROOT)}: {flag}"
        for path, page in PAGES.items()
        if path != benchmarks
        for flag in re.findall(r"(?<![\w-])--[a-z][\w-]*", page)
        if flag not in known
    }
    assert not stale, f"README.md and docs/ name options that no command has: {sorted(stale)}"


def test_the_generated_reference_is_up_to_date():
    stale = [str(path.relative_to(ROOT)) for path in reference.stale(DOCS)]
    assert not stale, f"{stale} out of date with the code: run `{reference.COMMAND}` from the repository root"


def test_the_reference_check_finds_a_stale_page(tmp_path):
    assert reference.run([str(tmp_path)]) == 0
    assert reference.run(["--check", str(tmp_path)]) == 0
    page = tmp_path / "settings.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("| `radius_m` | `500.0` |", "| `radius_m` | `400.0` |"),
        encoding="utf-8",
    )
    assert reference.stale(tmp_path) == [page]
    assert reference.run(["--check", str(tmp_path)]) == 1
    (tmp_path / "commands.md").unlink()
    assert len(reference.stale(tmp_path)) == 2


def test_the_reference_does_not_follow_the_users_language(monkeypatch):
    monkeypatch.setenv("COCOON_LANG", "sv")
    assert not reference.stale(DOCS)


def test_the_commands_page_shows_what_help_prints():
    for words in [(), ("plan",), ("visits", "import")]:
        printed = (
            CliRunner(env={"COCOON_LANG": "en"})
            .invoke(main, [*words, "--help"], prog_name="cocoon", terminal_width=reference.WIDTH)
            .output
        )
        assert reference.help_text(words) + "\n" == printed


def test_the_settings_page_gives_every_setting_its_default_and_meaning():
    from cocoon.settings import SECTIONS, Settings

    page = PAGES[DOCS / "settings.md"]
    for section, cls in SECTIONS.items():
        assert f"\n## [{section}]\n" in page
        for name in cls.__dataclass_fields__:
            row = re.search(rf"^\| `{name}` \| (.+?) \| (.+?) \|$", page.split(f"## [{section}]")[1], re.M)
            assert row, f"docs/settings.md has no row for {section}.{name}"
    assert "| `high_days` | `14` |" in page and f"`{Settings().zones.radius_m}`" in page


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: str) -> set[str]:
    return {
        github_anchor(line.lstrip("#")) for line in CODE_BLOCK.sub("", page).splitlines() if re.match(r"#{1,6} ", line)
    }


def test_every_relative_link_resolves():
    broken = []
    for path, page in PAGES.items():
        for target in re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", CODE_BLOCK.sub("", page)):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text(encoding="utf-8")):
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, f"links that lead nowhere: {broken}"


def test_the_link_check_sees_a_broken_link():
    assert "how-households-are-ranked" in anchors(PAGES[DOCS / "methods.md"])
    assert github_anchor("Did cocooning work here? `cocoon evaluate`") == "did-cocooning-work-here-cocoon-evaluate"
    assert "no-such-heading" not in anchors(README)


def test_the_readme_stays_short():
    assert len(README.splitlines()) <= 250, "README.md is what an analyst reads first: keep it under 250 lines"


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "--help", "--lang", "sv"),
        ("plan", "--lang", "sv", "--help"),
        ("visits", "import", "--help", "--lang=sv"),
    ],
)
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


def speed_docs():
    """benchmarks/speed_docs.py, the generator of docs/speed.md."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("speed_docs", ROOT / "benchmarks" / "speed_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_speed_page_is_what_the_committed_benchmark_results_give():
    generator = speed_docs()
    results = generator.load_results()
    assert results, "benchmarks/results/ holds no results"
    assert (DOCS / "speed.md").read_text(encoding="utf-8") == generator.render(results), (
        "docs/speed.md is not what benchmarks/results/ give: run python benchmarks/speed_docs.py"
    )


def test_every_benchmark_result_says_when_where_and_how_loaded():
    for result in speed_docs().load_results():
        assert result["command"].startswith(f"python benchmarks/{result['benchmark']}.py")
        assert result["started"] and result["machine"]["cores"] and result["machine"]["python"]
        assert result["columns"][-1] == "load" and result["load_at_start"] is not None
        assert all(len(row) == len(result["columns"]) for row in result["rows"])


def test_every_timing_benchmark_can_write_its_figures_for_the_speed_page():
    for name in (
        "bench_plan",
        "bench_demo",
        "bench_knox",
        "bench_backtest",
        "bench_model",
        "bench_routes",
        "bench_evaluate",
        "bench_field_page",
    ):
        source = (ROOT / "benchmarks" / f"{name}.py").read_text(encoding="utf-8")
        assert "json_option(parser)" in source and "results.write(args.json)" in source, name
