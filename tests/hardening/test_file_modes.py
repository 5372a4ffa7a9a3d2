"""Files that hold residents' data are readable by the platform's user only."""

from __future__ import annotations

import stat

from dagster_project.lib.warehouse import connect
from dagster_project.settings import PRIVATE_FOLDERS, Settings, secure_data_dir


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_folders_are_0700_and_the_warehouse_0600(tmp_path):
    settings = Settings(environment="local", data_dir=tmp_path / "data")
    secure_data_dir(settings)
    for name in PRIVATE_FOLDERS:
        assert mode(settings.data_dir / name) == 0o700, name
    conn = connect(settings.warehouse_path)
    conn.execute("CREATE TABLE t AS SELECT 1")
    conn.close()
    secure_data_dir(settings)  # the next run's start closes a warehouse made meanwhile
    assert mode(settings.warehouse_path) == 0o600


def test_the_pipeline_command_writes_files_for_its_user_only(tmp_path):
    """The CLI's umask (077), seen from a child process as the pipeline would be."""
    import subprocess
    import sys

    code = (
        "from dagster_project.settings import private_umask; private_umask(); "
        f"open({str(tmp_path / 'made.txt')!r}, 'w').write('x')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert mode(tmp_path / "made.txt") == 0o600


def test_an_existing_world_readable_warehouse_is_closed(tmp_path):
    settings = Settings(environment="local", data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    settings.warehouse_path.write_bytes(b"")
    settings.warehouse_path.chmod(0o644)
    secure_data_dir(settings)
    assert mode(settings.warehouse_path) == 0o600
