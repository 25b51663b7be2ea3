"""The built wheel, installed into a fresh venv, runs from another folder and finds its files."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_finds_shipped_data_and_styles(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("paperbrowse-*.whl")

    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    # The dependencies come from this test's environment (no network needed); paperbrowse
    # itself only from the wheel: a .pth line adds a folder without running its .pth files,
    # so the editable install in that folder stays invisible.
    new_site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (new_site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = python.parent / ("paperbrowse.exe" if sys.platform == "win32" else "paperbrowse")
    env = {"PATH": str(python.parent), "PAPERBROWSE_LIBRARY": str(tmp_path / "lib.toml"), "HOME": str(tmp_path)}
    listed = subprocess.run([script, "list", "--json"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 26
    assert listed.stderr == ""

    where = subprocess.check_output(
        [
            python,
            "-c",
            (
                "from paperbrowse.core.files.paths import shipped; import paperbrowse; "
                "print(paperbrowse.__file__); print(shipped('data')); print(shipped('styles') / 'paperbrowse.tcss')"
            ),
        ],
        cwd=elsewhere,
        env=env,
        text=True,
    ).split("\n")
    package, data, styles = (Path(line) for line in where[:3])
    assert package.is_relative_to(new_site), "paperbrowse must come from the wheel, not the checkout"
    assert data.is_relative_to(new_site) and (data / "categories.toml").is_file()
    assert styles.is_relative_to(new_site) and styles.is_file()
