"""The sample corpus bundled with the package, so `medcodes run` with no SOURCE shows the whole job."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def sample_pages_dir() -> Path:
    """Folder of the bundled sample pages (installed with the package)."""
    return Path(str(files("medcodes") / "sample" / "pages"))
