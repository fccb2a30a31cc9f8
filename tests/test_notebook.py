"""The analyst notebook runs from top to bottom, on the demo data and on the Chicago burglaries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import chicago_csv

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "near-repeat-walkthrough.ipynb"


def execute(env: dict[str, str]):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(
            notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
        ).execute()
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def texts(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_notebook_runs_on_a_file_of_ones_own():
    notebook = execute({"COCOON_NOTEBOOK_FILE": str(chicago_csv()), "COCOON_NOTEBOOK_NREP": "99"})
    out = texts(notebook)
    assert "49 simulated burglaries" in out  # the demo part
    assert "Near repeats: burglaries within" in out  # the Chicago verdict
    assert "fitted model" in out and "ranking_model" in out
    assert "of it from the data" in out and "days 1-7" in out  # the fitted model's table, shown
    assert "better" in out  # the fitted model against each method, with verdicts


@pytest.mark.slow
def test_notebook_runs_on_the_demo_alone():
    notebook = execute({"COCOON_NOTEBOOK_NREP": "49"})
    out = texts(notebook)
    assert "No file of your own given: using the demo data again." in out
    assert "bowers_johnson" in out
