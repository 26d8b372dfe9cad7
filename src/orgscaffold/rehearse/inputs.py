"""The folder the rehearsal is given: the generated repositories of one client, with their answers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orgscaffold.errors import RehearseInputError
from orgscaffold.reading import ANSWERS_FILE, read_answers


@dataclass(frozen=True)
class Repository:
    """One generated repository: its key (bootstrap, identity, dns, website), folder and answers."""

    key: str
    name: str
    path: Path
    answers: dict[str, Any]


def _answers(path: Path) -> dict[str, Any] | None:
    """The answers of an orgscaffold repository (read as every stage reads them), else None."""
    loaded = read_answers(path)
    if loaded is None or not isinstance(loaded.get("settings"), dict):
        return None
    repository = loaded.get("repository")
    ok = isinstance(repository, dict) and all(isinstance(repository.get(k), str) for k in ("key", "name"))
    return loaded if ok else None


def read_deployment(directory: Path) -> dict[str, Repository]:
    """The repositories in ``directory`` by key, in deployment order; RehearseInputError if it holds none."""
    if not directory.is_dir():
        raise RehearseInputError(f"{directory} is not a folder")
    found: list[tuple[int, Repository]] = []
    for path in sorted(p for p in directory.iterdir() if p.is_dir()):
        answers = _answers(path) if (path / ANSWERS_FILE).is_file() else None
        if answers is None:
            continue
        repository = answers["repository"]
        order = repository.get("order")
        position = order if isinstance(order, int) else 99
        found.append((position, Repository(repository["key"], repository["name"], path, answers)))
    if not found:
        raise RehearseInputError(
            f"no generated repository (a folder with {ANSWERS_FILE}) in {directory}: "
            "give the folder that `orgscaffold new` wrote"
        )
    repositories = {repo.key: repo for _, repo in sorted(found, key=lambda item: item[0])}
    if "bootstrap" not in repositories:
        raise RehearseInputError(f"{directory} holds no bootstrap repository: the deployment starts there")
    planned = repositories["bootstrap"].answers["settings"].get("repositories")
    if not isinstance(planned, dict):
        raise RehearseInputError(f"{repositories['bootstrap'].path / ANSWERS_FILE} lists no repositories")
    expected = {
        key: str(repo.get("name", key))
        for key, repo in planned.items()
        if isinstance(repo, dict) and repo.get("rendered")
    }
    missing = [name for key, name in expected.items() if key not in repositories]
    if missing:
        raise RehearseInputError(f"{directory} lacks repositories of this deployment: {', '.join(missing)}")
    return repositories
