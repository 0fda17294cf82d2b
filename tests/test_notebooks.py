"""Every notebook in notebooks/ runs top to bottom, offline, without an error."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO, SEEDS

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    monkeypatch.setenv("KPISCORE_SEEDS", str(SEEDS))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 4  # the plots were drawn


def test_corpus_notebook_runs_on_the_shipped_sample_alone(tmp_path, monkeypatch):
    """Without ../shared the corpus notebook reads samples/ only: one document, so no
    reuse across documents, and it still runs to the end."""
    monkeypatch.setenv("KPISCORE_SEEDS", str(tmp_path / "seeds"))  # absent: nothing beside
    monkeypatch.delenv("KPISCORE_CORPUS", raising=False)  # beside the absent seeds
    path = REPO / "notebooks" / "corpus.ipynb"
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "1 份文件" in text and "no phrase is printed by two documents" in text
