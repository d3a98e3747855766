"""The example notebook runs on fresh output, so it never rots."""
import os

import pytest

from conftest import ROOT


@pytest.mark.notebook
def test_example_notebook_answers_the_questions_and_draws_the_chart(samples_out, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("ipykernel")
    chart = tmp_path / "execution_rate.png"
    monkeypatch.setenv("REPORTPARSE_OUT", str(samples_out))
    monkeypatch.setenv("REPORTPARSE_CHART", str(chart))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    nb = nbformat.read(ROOT / "examples" / "analysis.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Warning" not in text or "Glyph" not in text  # every Chinese label drawn
    assert "广州市白云区卫生健康局" in text          # a unit with failed checks and a missed target
    assert "number_format" in text and "execution_rate_%" in text
    assert chart.is_file() and chart.stat().st_size > 10_000
    if os.environ.get("REPORTPARSE_KEEP_CHART"):
        chart.replace(os.environ["REPORTPARSE_KEEP_CHART"])
