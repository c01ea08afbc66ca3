"""Dataset assembly: dedupe rule, invalid pages quarantined whole, the quarantine-share gate."""

from __future__ import annotations

import pytest

from extract.local import read_local_file
from medcodes.dataset import assemble_dataset, check_quarantine_share
from medcodes.errors import PublishRefused
from medcodes.pipeline import process_pages
from medcodes.sample import sample_pages_dir

SEED = sample_pages_dir() / "text" / "cpt_62310.txt"


def _copy(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_local_file(path)


def test_duplicate_code_keeps_richer_page_whatever_the_order(tmp_path):
    full = SEED.read_text(encoding="utf-8")
    thin = full.split("Preparation")[0]
    pages = [_copy(tmp_path, "a_cpt_62310.txt", thin), _copy(tmp_path, "b_cpt_62310.txt", full)]
    for order in (pages, pages[::-1]):
        dataset = assemble_dataset(process_pages(order), max_quarantine_share=1.0)
        assert dataset.codes.column("source_url").to_pylist() == [pages[1].source_url]
        quarantine = dataset.quarantine.to_pylist()
        assert [q["reason"] for q in quarantine] == ["duplicate_code"]
        assert pages[1].source_url in quarantine[0]["detail"]
        # the dropped page's sections went with it
        assert set(dataset.sections.column("code").to_pylist()) == {"62310"}
        assert dataset.sections.num_rows == 15


def test_invalid_code_page_is_quarantined_with_its_sections(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("CPT4 code", "ICD-10-CM Diagnosis Code")
    pages = [read_local_file(SEED), _copy(tmp_path, "icd10cm_Z99.99999.txt", text)]
    dataset = assemble_dataset(process_pages(pages), max_quarantine_share=1.0)
    assert [q["reason"] for q in dataset.quarantine.to_pylist()] == ["schema:code_format"]
    assert set(dataset.sections.column("code").to_pylist()) == {"62310"}


def test_gate_refuses_above_share_and_says_why():
    check_quarantine_share(pages=10, quarantined=2, max_share=0.25)
    with pytest.raises(PublishRefused, match=r"3 of 10 pages \(30%\)"):
        check_quarantine_share(pages=10, quarantined=3, max_share=0.25)
    with pytest.raises(PublishRefused, match="no pages"):
        check_quarantine_share(pages=0, quarantined=0, max_share=0.25)
