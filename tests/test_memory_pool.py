"""The command line takes Arrow's memory from the C library's allocator and numpy's arrays in
ordinary pages, unless the user chose otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

RUN = """
import sys
{before}
from cocoon.cli import main
sys.argv = ["cocoon", "plan", "--help"]
try:
    main()
except SystemExit:
    pass
import numpy as np
import pyarrow as pa
from numpy._core.multiarray import _set_madvise_hugepage
print("pool:", pa.default_memory_pool().backend_name, "huge pages:", _set_madvise_hugepage(True))
"""
CHOICES = ("ARROW_DEFAULT_MEMORY_POOL", "NUMPY_MADVISE_HUGEPAGE")


def memory_after(before: str = "", **env: str) -> str:
    """What the memory pool and numpy's huge-page advice are after a command (the setter
    returns the advice it replaces)."""
    environment = {k: v for k, v in os.environ.items() if k not in CHOICES} | env
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(before=before)], capture_output=True, text=True, env=environment, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_command_takes_the_system_allocator_and_ordinary_pages():
    assert memory_after() == "pool: system huge pages: False"


def test_the_numpy_huge_pages_are_what_numpy_chose_by_default():
    """The check above can fail: without the command, numpy asks for huge pages here."""
    environment = {k: v for k, v in os.environ.items() if k not in CHOICES}
    code = "from numpy._core.multiarray import _set_madvise_hugepage; print(_set_madvise_hugepage(True))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)
    assert done.stdout.strip() == str(sys.platform == "linux")


def test_arrow_loaded_before_the_command_is_switched():
    before = "import pyarrow as pa; pa.array([1, 2, 3])"
    assert memory_after(before).startswith("pool: system ")


def test_numpy_loaded_before_the_command_keeps_its_choice():
    assert memory_after("import numpy").endswith(f"huge pages: {sys.platform == 'linux'}")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}, "pool: mimalloc huge pages: False"),
        ({"NUMPY_MADVISE_HUGEPAGE": "1"}, "pool: system huge pages: True"),
    ],
    ids=["arrow pool", "numpy huge pages"],
)
def test_the_users_choice_is_kept(env, expected):
    assert memory_after(**env) == expected
