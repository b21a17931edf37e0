"""notebooks/preview.ipynb runs top to bottom (load, solve with a short limit, draw)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "preview.ipynb"
CONFIG = ROOT / "configs" / "example-visits.yaml"  # the notebook's default: a visit week


def _missing() -> str | None:
    for module in ("nbclient", "nbformat", "ipykernel", "folium"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install {module})"
    if not CONFIG.is_file():
        return f"{CONFIG.relative_to(ROOT)} does not exist yet"
    return None


REASON = _missing()


@pytest.mark.slow
@pytest.mark.skipif(REASON is not None, reason=str(REASON))
def test_preview_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # The parameter cell is the one tagged "parameters"; keep the solve short.
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source += "\nTIME_LIMIT_SECONDS = 5\n"
    # jupyter_client starts the kernel spec "python3" with this interpreter (sys.executable).
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # map, two timelines, coverage
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("leaflet" in h.lower() or "folium" in h.lower() for h in html)  # the folium map
