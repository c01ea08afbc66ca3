"""The one settings object: environment overrides, validation, and its generated docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from medcodes.settings import Settings
from medcodes.settings_doc import DOC_PATH, configuration_markdown

REPO = Path(__file__).resolve().parents[1]


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("MEDCODES_BATCH_SIZE", "17")
    monkeypatch.setenv("MEDCODES_INCLUDE", '["/cpt/"]')
    settings = Settings()
    assert settings.batch_size == 17 and settings.include == ["/cpt/"]
    assert Settings(batch_size=5).batch_size == 5  # explicit (command line) wins


def test_invalid_values_and_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        Settings(max_quarantine_share=1.5)
    with pytest.raises(ValidationError):
        Settings(batch_sise=10)


def test_configuration_doc_is_current():
    assert (REPO / DOC_PATH).read_text(encoding="utf-8") == configuration_markdown(), (
        "docs/configuration.md is stale: run `python -m medcodes.settings_doc`"
    )
