"""Every command of the runbook and the operating documents names files and outputs that exist."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from tests.handover.conftest import Rendered

FENCE = re.compile(r"^[ \t]*```(?:sh|bash)\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
CD = re.compile(r'^cd "\$ORG/([^"]+)"$')
OUTPUT = re.compile(r"^output \"(\w+)\"", re.MULTILINE)
INLINE_OUTPUT = re.compile(r"tofu output (?:-json )?([a-z_]+)")
FILE_ARG = re.compile(r"(?:^|=)([\w./-]+\.(?:tf|hcl|sh|json))$")


def _outputs(repo: Path) -> set[str]:
    return set(OUTPUT.findall((repo / "outputs.tf").read_text(encoding="utf-8")))


def _check_line(line: str, repo: Path | None) -> list[str]:
    """Problems of one command line run inside ``repo`` (None: outside every repository)."""
    words = shlex.split(line, comments=True)
    if not words:
        return []
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):  # TF=terraform scripts/...
        words = words[1:]
    tool = words[0]
    if tool not in ("tofu", "git") and not tool.startswith("scripts/"):
        return []
    if repo is None:
        return [f"{line!r} runs outside a repository (no cd before it)"]
    problems = []
    if tool.startswith("scripts/") and not os.access(repo / tool, os.X_OK):
        problems.append(f"{line!r}: {tool} is not an executable file of {repo.name}")
    for word in words[1:]:
        match = FILE_ARG.search(word)
        if match and not (repo / match[1]).is_file():
            problems.append(f"{line!r}: {match[1]} does not exist in {repo.name}")
    if words[:2] == ["tofu", "output"]:
        name = next((w for w in words[2:] if not w.startswith("-")), None)
        if name is not None and name not in _outputs(repo):
            problems.append(f"{line!r}: {repo.name} declares no output {name}")
    if words[:2] == ["tofu", "test"] and not list((repo / "tests").glob("*.tftest.hcl")):
        problems.append(f"{line!r}: {repo.name} has no tests/*.tftest.hcl")
    return problems


def check_document(text: str, repos: dict[str, Path]) -> tuple[list[str], int, set[str]]:
    """Problems, the number of command lines checked and the repositories visited."""
    problems: list[str] = []
    checked = 0
    visited: set[str] = set()
    for block in FENCE.findall(text):
        repo: Path | None = None
        placeholder = False
        for raw in block.splitlines():
            line = raw.strip()
            cd = CD.match(line)
            if cd:
                # "cd $ORG/<repository>" stands for any repository: its commands are generic.
                placeholder = "<" in cd[1]
                if not placeholder and cd[1] not in repos:
                    problems.append(f"{line!r}: no repository {cd[1]}")
                repo = repos.get(cd[1])
                visited.add(cd[1])
                continue
            if placeholder:
                continue
            found = _check_line(line, repo)
            problems += found
            checked += 1 if line.split(" ")[0] in ("tofu", "git") or line.startswith("scripts/") else 0
    declared = set().union(*(_outputs(r) for r in repos.values()))
    problems += [
        f"inline `tofu output {n}`: no repository declares it" for n in INLINE_OUTPUT.findall(text) if n not in declared
    ]
    return problems, checked, visited


def test_every_runbook_command_references_existing_files_and_outputs(rendered: Rendered) -> None:
    text = (next(iter(rendered.repos.values())) / "docs" / "runbook.md").read_text(encoding="utf-8")
    problems, checked, visited = check_document(text, rendered.repos)
    assert not problems, "\n".join(problems)
    assert visited >= set(rendered.repos), "the runbook must apply every rendered repository"
    assert checked >= 6 * len(rendered.repos)


def test_every_operations_command_references_existing_files_and_outputs(rendered: Rendered) -> None:
    text = (next(iter(rendered.repos.values())) / "docs" / "operations.md").read_text(encoding="utf-8")
    problems, checked, _ = check_document(text, rendered.repos)
    assert not problems, "\n".join(problems)
    assert checked >= 5


def test_the_check_finds_a_missing_output_and_file(rendered: Rendered) -> None:
    repo = next(iter(rendered.repos))
    commands = ["tofu output no_such_output", "tofu init -backend-config=nope.hcl", "scripts/nope.sh"]
    broken = "```sh\n" + f'cd "$ORG/{repo}"\n' + "\n".join(commands) + "\n```\n"
    problems, _, _ = check_document(broken, rendered.repos)
    assert len(problems) == 4, problems  # the output twice: in the block and as inline text
    assert check_document("```sh\ntofu plan\n```\n", rendered.repos)[0], "tofu outside a repository"
