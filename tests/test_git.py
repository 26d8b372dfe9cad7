"""orgscaffold.git: one error type, the user's identity with a fallback, copier's newest-tag rule."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from orgscaffold import git
from orgscaffold.errors import GitError, OrgscaffoldError

IDENTITY_VARIABLES = [f"GIT_{role}_{field}" for role in ("AUTHOR", "COMMITTER") for field in ("NAME", "EMAIL")]


@pytest.fixture
def no_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GIT_AUTHOR_*/GIT_COMMITTER_* variables (conftest's hermetic HOME has no git config)."""
    for variable in IDENTITY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def _repository(path: Path) -> Path:
    path.mkdir()
    git.run(["init", "--quiet", "--initial-branch=main"], path)
    (path / "file").write_text("x\n", encoding="utf-8")
    git.run(["add", "--all"], path)
    return path


def _author_and_committer(path: Path) -> str:
    return git.run(["log", "-1", "--format=%an <%ae> / %cn <%ce>"], path).strip()


def test_without_any_identity_commits_fall_back_to_orgscaffold(no_identity: None, tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    assert git.identity(repo) == {
        "GIT_AUTHOR_NAME": git.FALLBACK_NAME,
        "GIT_AUTHOR_EMAIL": git.FALLBACK_EMAIL,
        "GIT_COMMITTER_NAME": git.FALLBACK_NAME,
        "GIT_COMMITTER_EMAIL": git.FALLBACK_EMAIL,
    }
    git.commit(repo, "first")
    assert _author_and_committer(repo) == "orgscaffold <orgscaffold@localhost> / orgscaffold <orgscaffold@localhost>"


def test_the_users_git_config_identity_is_respected(no_identity: None, tmp_path: Path) -> None:
    git.run(["config", "--global", "user.name", "Jane Doe"])
    git.run(["config", "--global", "user.email", "jane@example.com"])
    repo = _repository(tmp_path / "repo")
    assert git.identity(repo) == {}
    git.commit(repo, "first")
    assert _author_and_committer(repo) == "Jane Doe <jane@example.com> / Jane Doe <jane@example.com>"


def test_environment_variables_win_and_only_what_is_unset_falls_back(
    no_identity: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_AUTHOR_NAME", "CI Bot")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ci@example.com")
    git.run(["config", "--global", "committer.name", "Release Manager"])
    repo = _repository(tmp_path / "repo")
    assert git.identity(repo) == {"GIT_COMMITTER_EMAIL": git.FALLBACK_EMAIL}
    git.commit(repo, "first")
    assert _author_and_committer(repo) == "CI Bot <ci@example.com> / Release Manager <orgscaffold@localhost>"


def test_a_failing_command_is_one_error_type_naming_command_folder_and_message(tmp_path: Path) -> None:
    with pytest.raises(GitError) as raised:
        git.run(["rev-parse", "--verify", "no-such-ref"], tmp_path)
    error = raised.value
    assert isinstance(error, OrgscaffoldError)
    assert error.command == ["git", "rev-parse", "--verify", "no-such-ref"] and error.cwd == tmp_path
    assert str(error).startswith(f"git rev-parse --verify no-such-ref failed in {tmp_path}: ") and error.message
    copy = pickle.loads(pickle.dumps(error))  # raised in worker processes
    assert str(copy) == str(error)


def test_newest_tag_is_the_newest_pep440_release_as_copier_picks_it(tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    assert git.newest_tag(str(repo)) == "HEAD"  # no commit, no tag
    git.commit(repo, "first")
    for tag in ("0.9.0", "0.10.0", "1.0.0rc1", "not-a-version", "v0.2"):
        git.run(["tag", tag], repo)
    assert git.newest_tag(str(repo)) == "0.10.0"  # 0.10 > 0.9 > 0.2; the release candidate is skipped
