"""The command line takes Arrow's memory from the C library's allocator, unless the user chose a pool."""

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
import pyarrow as pa
print("pool:", pa.default_memory_pool().backend_name)
"""


def pool_after(before: str = "", **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"} | env
    done = subprocess.run(
        [sys.executable, "-c", RUN.format(before=before)], capture_output=True, text=True, env=environment, check=True
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("before", ["", "import pyarrow as pa; pa.array([1, 2, 3])"], ids=["not loaded", "loaded"])
def test_a_command_takes_the_system_allocator(before):
    assert pool_after(before) == "pool: system"


def test_the_users_choice_of_pool_is_kept():
    assert pool_after(ARROW_DEFAULT_MEMORY_POOL="mimalloc") == "pool: mimalloc"
