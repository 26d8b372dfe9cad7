"""Ordinary mistakes end with exit status 2 and one line saying what is wrong, never a traceback.

Each case is what a user can type: an output path through a file, a folder they cannot write, a
template source or ref that does not exist. Nothing is written, and repositories stay as they were.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orgscaffold.cli import app
from orgscaffold.verify.cli import MIRROR_ENV, find_toolchain
from tests.test_cli import MINIMAL, write

runner = CliRunner()


def one_error_line(output: str) -> str:
    """The output's only ``error:`` line; fails on a traceback or on several errors."""
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    return errors[0]


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """``folder`` cannot be written in, even by root (the tests may run as root, who ignores modes):
    the immutable attribute for root, the mode for anyone else."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot make a folder unwritable for root here: chattr +i: {done.stderr.strip()}")
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    try:
        with pytest.raises(OSError):  # the folder really is unwritable
            (folder / "probe").write_text("x")
        yield
    finally:
        subprocess.run(undo, check=True)


def test_an_output_path_through_a_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder\n")
    result = runner.invoke(app, ["new", str(write(tmp_path, MINIMAL)), "-o", str(tmp_path / "afile" / "sub")])
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert f"{tmp_path / 'afile'} exists and is not a folder" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "q.yaml"]


def test_an_output_folder_whose_parent_cannot_be_written_is_bad_input(tmp_path: Path) -> None:
    q = write(tmp_path, MINIMAL)
    locked = tmp_path / "locked"
    locked.mkdir()
    with unwritable(locked):
        result = runner.invoke(app, ["new", str(q), "-o", str(locked / "out"), "--no-cli"])
    assert result.exit_code == 2, result.output
    assert f"cannot write in {locked} to create {locked / 'out'}: " in one_error_line(result.output)
    assert list(locked.iterdir()) == []


def test_an_existing_output_folder_that_cannot_be_written_is_refused_before_rendering(tmp_path: Path) -> None:
    q = write(tmp_path, MINIMAL)
    out = tmp_path / "out"
    out.mkdir()
    with unwritable(out):
        result = runner.invoke(app, ["new", str(q), "-o", str(out), "--no-cli"])
    assert result.exit_code == 2, result.output
    assert f"cannot write in {out}" in one_error_line(result.output)
    assert "rendering" not in result.output  # refused before any work
    assert list(out.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_only_a_repository_the_questionnaire_does_not_have_is_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["new", str(write(tmp_path, MINIMAL)), "-o", str(out), "--only", "website"])
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert "--only website: the questionnaire renders no such repository" in line
    assert "website.apps" in line
    assert not out.exists()


def test_one_repository_is_published_in_the_singular(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["new", str(write(tmp_path, MINIMAL)), "-o", str(out), "--only", "bootstrap", "--no-cli"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"publishing 1 repository into {out}" in result.output


def test_a_wrong_provider_mirror_variable_is_named_with_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path / "bad"))
    toolchain, reason = find_toolchain()
    if shutil.which("tofu") is None and shutil.which("terraform") is None:
        pytest.skip("no tofu or terraform binary on PATH: the mirror is not looked at")
    assert toolchain is None
    assert f"{MIRROR_ENV}={tmp_path / 'bad'} is not a provider mirror holding hashicorp/aws" in reason
    assert "correct or unset it" in reason
    assert "set ORGSCAFFOLD" not in reason
