"""cocoon's PDF document (cocoon/publish/pdf.py): the font read once for every document, and a
text broken into lines once for finding its size and writing it, with the same pages as before."""

from __future__ import annotations

import re

from fpdf import FPDF

from cocoon.publish import pdf
from cocoon.publish.pdf import Document

TEXTS = ("Grannsamverkan mot brott: inbrott på Storgatan", "Vanamotie 12 – äöå ÄÖÅ é ü", "ΑΒΓ and 1,000 m")


def written(texts: tuple[str, ...]) -> bytes:
    """A document with ``texts`` in boxes, as bytes without its date and file id (which vary)."""
    document = Document(lang="sv")
    document.add_page()
    for k, value in enumerate(texts):
        document.text_box(10, 20 + 30 * k, 50, 25, value, size=16, min_size=6, style="B" if k % 2 else "")
    content = document.to_bytes()
    return re.sub(rb"/CreationDate \(D:[^)]*\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", content)


def test_the_font_file_is_read_once_and_every_document_is_as_with_its_own(monkeypatch):
    read: list[str] = []
    add_font = FPDF.add_font

    def counting(self, *args, **kwargs):
        read.append(args[1] if len(args) > 1 else kwargs.get("style", ""))
        return add_font(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "add_font", counting)
    monkeypatch.setattr(pdf, "_PARSED", {})
    alone = []
    for texts in (TEXTS, TEXTS[1:], ("nothing in common",)):
        pdf._PARSED.clear()  # a font read for this document only, as fpdf does
        alone.append(written(texts))
    read.clear()
    shared = [written(texts) for texts in (TEXTS, TEXTS[1:], ("nothing in common",))]
    assert read == []  # both styles were read already
    # the same bytes: each document's font subset holds its own characters only
    assert shared == alone
    assert len(shared[2]) < len(shared[0])


def test_a_text_is_broken_into_lines_once_for_fitting_and_writing(monkeypatch):
    broken: list[tuple[str, float]] = []
    break_lines = Document._break_lines

    def counting(self, value, width, size):
        broken.append((value, size))
        return break_lines(self, value, width, size)

    monkeypatch.setattr(Document, "_break_lines", counting)
    document = Document()
    document.add_page()
    value = "a sign's words, too long for one line of this box"
    chosen = document.text_box(10, 10, 40, 12, value, size=14, min_size=6)
    assert broken and broken[-1] == (value, chosen) and len(broken) == len(set(broken))
    before = len(broken)
    document.text_box(10, 40, 40, 12, value, size=14, min_size=6)  # the same text again: nothing to break
    assert len(broken) == before
    assert document.wrapped(value, 40, chosen) == break_lines(document, value, 40, chosen)
