"""Files that hold residents' data are readable by the platform's user only."""

from __future__ import annotations

import stat

from dagster_project.lib.warehouse import connect
from dagster_project.settings import PRIVATE_FOLDERS, Settings, secure_data_dir


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_folders_are_0700_and_new_files_0600(tmp_path):
    settings = Settings(environment="local", data_dir=tmp_path / "data")
    secure_data_dir(settings)
    for name in PRIVATE_FOLDERS:
        assert mode(settings.data_dir / name) == 0o700, name
    conn = connect(settings.warehouse_path)  # created after: umask 077
    conn.execute("CREATE TABLE t AS SELECT 1")
    conn.close()
    (settings.landing_dir / "extract.csv").write_text("a\n1\n")
    assert mode(settings.warehouse_path) == 0o600
    assert mode(settings.landing_dir / "extract.csv") == 0o600


def test_an_existing_world_readable_warehouse_is_closed(tmp_path):
    settings = Settings(environment="local", data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    settings.warehouse_path.write_bytes(b"")
    settings.warehouse_path.chmod(0o644)
    secure_data_dir(settings)
    assert mode(settings.warehouse_path) == 0o600
