"""Operations' work order export (sample_data.work_orders): deterministic, with its mess."""

from __future__ import annotations

import re

from sample_data import work_orders


def test_same_seed_same_bytes_and_existing_files_are_kept(tmp_path):
    first = work_orders.write_extracts(tmp_path / "a", 0.1, 5)
    second = work_orders.write_extracts(tmp_path / "b", 0.1, 5)
    assert [n for _, n in first] == [n for _, n in second]
    for (a, _), (b, _) in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    target = first[0][0]
    target.write_text("edited by hand")
    work_orders.write_extracts(tmp_path / "a", 0.1, 5)
    assert target.read_text() == "edited by hand"
    work_orders.write_extracts(tmp_path / "a", 0.1, 5, force=True)
    assert target.read_bytes() == second[0][0].read_bytes()


def test_rows_and_the_mess(tmp_path):
    written = work_orders.write_extracts(tmp_path, 1.0, 42)
    assert len(written) == 24  # one file per month, 2024-01 .. 2025-12
    texts = {path.name: path.read_text(encoding="utf-8") for path, _ in written}
    old, new = texts["WorkOrders_2024-06.csv"], texts["WorkOrders_2024-07.csv"]
    # the header changed in July 2024, with the timestamp and ward formats
    assert old.startswith("WO Number,Activity Code,") and new.startswith("WorkOrderID,Activity,")
    assert re.search(r",\d\d/\d\d/2024 \d\d:\d\d:\d\d,", old) and ",Ward " in old
    assert re.search(r",2024-07-\d\d \d\d:\d\d:\d\d,", new)
    everything = "".join(texts.values())
    lines = everything.splitlines()
    # a TOTAL row ends every file; a stray ";" ends some lines; codes in mixed case
    assert all(text.splitlines()[-1].startswith("TOTAL,") for text in texts.values())
    assert 0 < sum(line.endswith(";") for line in lines) < 0.05 * len(lines)
    codes = {line.split(",")[1] for line in lines if line.startswith("WO-")}
    assert {"PTH", "pth", "Pth"} <= codes
    # null sentinels, money as text, 311 ids in the CRM's format, names in the notes
    assert ",N/A," in everything and ',"-",' in everything and '"$' in everything
    assert re.search(r",SR-20\d\d-\d{7},", everything)
    assert "Requested by " in everything
    # repeated keys: a work order exported again when it was completed
    ids = [line.split(",")[0] for line in lines if line.startswith("WO-")]
    assert len(ids) > len(set(ids))
    orders = len(set(ids))
    assert orders == work_orders.ROWS_AT_SCALE_1
    assert sum(n for _, n in written) == len(ids) + 24  # rows plus the TOTAL rows
