"""The layout stays honest: layers, lazy imports only where they pay, no printing in the library."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cocoon"
STAGES = ("inputs", "geo", "risk", "evidence", "evaluation", "field", "publish", "store", "demo", "jobs", "cli")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def nested_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """Imports inside functions (module-level `if` and `try` blocks run at import time)."""
    found = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    found.update({(node.lineno, name): None for name in names})
    return list(found)


def test_import_contracts_hold():
    """import-linter's contracts (pyproject.toml): cli -> jobs -> library, never back up; the library
    never imports click; reading inputs knows nothing of the later stages."""
    from importlinter.cli import lint_imports

    old = Path.cwd()
    os.chdir(ROOT)
    try:
        assert lint_imports(no_cache=True, no_logo=True) == 0
    finally:
        os.chdir(old)


OPTIONAL_STAGES = {
    "cocoon.field.pack": "its PDFs load fpdf, fontTools and Pillow (about 0.3 s); a plan without a pack does not",
}
"""cocoon modules a job imports inside the function that runs them, because only some runs need
them and they bring heavy third-party modules with them."""


def test_only_heavy_third_party_modules_are_imported_lazily():
    """cocoon's own modules and the standard library are imported at the top of a module. Inside
    functions only third-party modules may be imported (geopandas, scipy, folium... so that
    `cocoon --help` stays fast), in the command line the job a command runs and its report, and in
    a job its optional stages (OPTIONAL_STAGES)."""
    wrong = []
    for path in modules():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in nested_imports(ast.parse(path.read_text(encoding="utf-8"))):
            top = name.split(".")[0]
            if top == "cocoon":
                allowed = (
                    relative.startswith("cocoon/cli/")
                    and (name.startswith("cocoon.jobs.") or name == "cocoon.cli.report")
                ) or (relative.startswith("cocoon/jobs/") and name in OPTIONAL_STAGES)
            else:
                allowed = top not in sys.stdlib_module_names and top != "__future__"
            if not allowed:
                wrong.append(f"{relative}:{line} imports {name} inside a function")
    assert not wrong, "\n".join(wrong)


def test_the_library_never_prints():
    printing = []
    for path in modules():
        if path.relative_to(PACKAGE).parts[0] == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                printing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not printing, printing


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_says_what_it_owns_and_may_import(stage):
    init = PACKAGE / stage / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 20, f"cocoon/{stage}/__init__.py needs a docstring"
    assert "import" in doc, f"cocoon/{stage}/__init__.py does not say what it may import"


def test_the_readme_layout_matches_the_tree():
    """Every stage, every folder inside a stage (publish/maps/...) and every module of the package
    appears in the layout in docs/developers.md."""
    section = (ROOT / "docs" / "developers.md").read_text(encoding="utf-8").split("## Layout", 1)[1]
    names = [f"{stage}/" for stage in STAGES] + [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    missing = [name for name in names if name not in section]
    assert not missing, f"docs/developers.md does not mention: {missing}"
    for stage in STAGES:
        for module in (PACKAGE / stage).rglob("*.py"):
            where = module.relative_to(PACKAGE).as_posix()
            if module.parent != PACKAGE / stage:
                assert f"{module.parent.name}/" in section, f"docs/developers.md does not mention {where}'s folder"
            if module.name != "__init__.py":
                assert module.stem in section, f"docs/developers.md does not mention {where}"


def test_every_data_file_of_the_package_is_installed():
    """A file the code reads from the package (a template, a script, a catalogue) that pyproject's
    package-data does not name is missing from an installed cocoon, though the tests from the
    source folder pass."""
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["cocoon"]
    package = root / "cocoon"
    data = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    missing = [name for name in data if not any(fnmatch.fnmatch(name, pattern) for pattern in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data] of pyproject.toml: {missing}"


def test_a_plan_without_a_model_or_pack_imports_neither_scipy_nor_the_pdf_library(tmp_path):
    """The plain plan finds its pairs and victims on a grid: the KD-tree (scipy), the model's fit
    (scikit-learn) and the field pack's PDFs (fpdf) are left to the commands that use them."""
    import subprocess

    code = (
        "import sys\n"
        "from cocoon.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('imported:', *(m for m in ('scipy', 'sklearn', 'fpdf') if m in sys.modules))\n"
    )
    area = ROOT / "data" / "kotka"
    args = ["plan", "--burglaries", str(area / "burglaries-simulated.csv")]
    args += ["--households", str(area / "households.csv")]
    args += ["--date", "2026-05-04", "--out", str(tmp_path / "plan"), "--lang", "en"]
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "plan" / "visits.csv").stat().st_size > 1000
    assert run.stdout.strip().splitlines()[-1] == "imported:"
