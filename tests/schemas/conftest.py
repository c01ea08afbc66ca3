"""Lets schema tests share the hand-built sample tables kept beside the output tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "output"))
