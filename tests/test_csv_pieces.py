"""A large CSV is written in pieces side by side, and reads exactly as one writer's text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from cocoon.publish import files
from cocoon.publish.files import write_csv


def test_pieces_make_the_same_file_as_one_writer(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    n = 1_003
    frame = pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(n)],
            "label": [f'Gata {i}, "uppgång" B' if i % 7 else None for i in range(n)],
            "score": rng.random(n) * 100,
            "burglaries": rng.integers(1, 5, n),
            "tier": pd.Categorical(rng.choice(list("ABC"), n)),
        }
    )
    monkeypatch.setattr(files, "CSV_PIECE_ROWS", 100)
    monkeypatch.setattr(files.os, "cpu_count", lambda: 2)
    pieces = write_csv(frame, tmp_path / "pieces.csv").read_bytes()
    monkeypatch.setattr(files, "CSV_PIECE_ROWS", 10 * n)
    whole = write_csv(frame, tmp_path / "whole.csv").read_bytes()
    assert pieces == whole
    assert pieces.count(b"household_id") == 1
    assert pacsv.read_csv(pa.py_buffer(pieces)).num_rows == n
