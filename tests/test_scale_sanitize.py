"""Ingest at scale: clean_text's fast path for already-clean text gives exactly what the full cleaning gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from console.sanitize import _clean, clean_line, clean_text

TEXT = st.text(alphabet=st.sampled_from(list("ab[] \t\n\r\x1b\x9b\x07\u202e\u00a0\u2003éع")),
               max_size=40)


@given(TEXT, st.integers(min_value=1, max_value=50), st.booleans())
@settings(max_examples=400, deadline=None)
def test_the_fast_path_and_the_full_cleaning_agree(text, max_chars, single_line):
    assert clean_text(text, max_chars=max_chars, single_line=single_line) == _clean(text, max_chars, single_line)


def test_clean_headline_text_comes_back_as_it_was_and_dirty_text_is_still_cleaned():
    title = "Aid convoy reaches Rafah: [bold]flour[/bold] and insulin (item 42)"
    assert clean_line(title) is title
    assert clean_line("Convoy\x1b[31m  reaches\tRafah ") == "Convoy reaches Rafah"
    assert clean_text("a\u202eb") == "ab"
    assert clean_line("x" * 600, max_chars=500).endswith("…")
