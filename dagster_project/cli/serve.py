"""``python -m dagster_project.cli.serve dev|serve``: the Dagster UI, and the scheduler.

dev    ``dagster dev``: the UI and the daemon in one command, for a person at a desk
serve  ``dagster-daemon`` (schedules, the landing sensor, the run queue) and
       ``dagster-webserver``, as a city runs the platform (see README, "Run it every day")

Both use the project's Dagster home in the data folder (so the runs of ``make demo`` and
``make pipeline`` show in the UI), the instance settings of ``dagster_project/dagster.yaml``
(one run at a time, queued), and find dbt and Dagster in this Python's folder, so no
virtual environment needs to be activated.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from dagster_project.settings import (
    PROJECT_DIR,
    Settings,
    get_settings,
    private_umask,
    secure_data_dir,
)

HOST, PORT = "127.0.0.1", "3000"
INSTANCE_TEMPLATE = PROJECT_DIR / "dagster_project" / "dagster.yaml"
HOME_MARK = '"@DAGSTER_HOME@"'  # in the template: the Dagster home's path


def dagster_home(settings: Settings) -> Path:
    """The Dagster home in the data folder, with the platform's instance settings (the
    template with this folder's path written in as its storage's)."""
    home = settings.data_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    # (a JSON string is a YAML string: any path, quoted)
    wanted = INSTANCE_TEMPLATE.read_text().replace(HOME_MARK, json.dumps(str(home.resolve())))
    if not target.exists() or target.read_text() != wanted:
        staged = target.with_name(f".dagster.yaml.{os.getpid()}.tmp")
        staged.write_text(wanted)
        os.replace(staged, target)  # a daemon reading it never sees half a file
    return home


def environment(settings: Settings) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home(settings)),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["dev", "serve"])
    args = parser.parse_args(argv)
    private_umask()  # the daemon's and webserver's runs inherit it
    settings = get_settings()
    secure_data_dir(settings)
    env = environment(settings)
    bin_dir = Path(sys.executable).parent
    workspace = ["-w", str(PROJECT_DIR / "workspace.yaml")]
    if args.mode == "dev":
        command = ["dagster", "dev", *workspace, "-h", HOST, "-p", PORT]
        os.execve(str(bin_dir / "dagster"), command, env)  # noqa: S606 (fixed arguments)
    daemon = subprocess.Popen(
        [str(bin_dir / "dagster-daemon"), "run", *workspace], cwd=PROJECT_DIR, env=env
    )
    webserver = subprocess.Popen(
        [str(bin_dir / "dagster-webserver"), *workspace, "-h", HOST, "-p", PORT],
        cwd=PROJECT_DIR,
        env=env,
    )

    def stop(_signal=None, _frame=None) -> None:
        for process in (webserver, daemon):
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(
        f"Dagster UI on http://{HOST}:{PORT}; daemon running (schedules, sensor, queue). "
        "Ctrl-C stops both.",
        flush=True,
    )
    while daemon.poll() is None and webserver.poll() is None:
        try:
            daemon.wait(timeout=1)
        except subprocess.TimeoutExpired:
            continue
    stop()
    for process in (webserver, daemon):
        process.wait(timeout=30)
    return daemon.returncode or webserver.returncode or 0


if __name__ == "__main__":
    sys.exit(main())
