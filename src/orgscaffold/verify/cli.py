"""Tier 2: the real OpenTofu or Terraform CLI judges each repository, offline.

Runs ``init -backend=false`` against a local provider mirror (never the network), ``validate``,
``fmt -check`` and, where the repository ships tests, ``test`` with its mocked providers. Each
repository is checked in a temporary copy, so the CLI's working files (``.terraform/``, the lock
file) never land in the client's repository.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orgscaffold.verify.findings import Finding, Report

MIRROR_ENV = "ORGSCAFFOLD_PROVIDER_MIRROR"
# Terraform's and OpenTofu's documented implied local mirror directories, searched first.
_IMPLIED_MIRRORS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "~/.local/share/opentofu/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/usr/local/share/opentofu/plugins",
)
# Then a shallow search for a mirror laid out as <mirror>/registry.terraform.io/hashicorp/aws.
_SEARCH_ROOTS = ("/opt", "/srv", "/usr/local/share", "/usr/share", "~")
_SEARCH_DEPTH = 3
_TIMEOUT = 600


@dataclass(frozen=True)
class Toolchain:
    """A CLI binary and the provider mirror it installs providers from."""

    binary: Path
    mirror: Path

    @property
    def name(self) -> str:
        """``tofu`` or ``terraform``."""
        return self.binary.name


def _has_aws_provider(path: Path) -> bool:
    return any(path.glob("registry.*/hashicorp/aws/*/*/terraform-provider-aws_*"))


def find_mirror() -> Path | None:
    """The provider mirror named by ORGSCAFFOLD_PROVIDER_MIRROR, else the first one found holding hashicorp/aws."""
    named = os.environ.get(MIRROR_ENV)
    if named:
        path = Path(named).expanduser()
        return path if _has_aws_provider(path) else None
    for candidate in _IMPLIED_MIRRORS:
        path = Path(candidate).expanduser()
        if path.is_dir() and _has_aws_provider(path):
            return path
    for root in _SEARCH_ROOTS:
        base = Path(root).expanduser()
        for depth in range(_SEARCH_DEPTH):
            for registry in sorted(base.glob("/".join(["*"] * depth + ["registry.*"]))):
                if _has_aws_provider(registry.parent):
                    return registry.parent
    return None


def find_toolchain() -> tuple[Toolchain | None, str]:
    """The CLI to use (tofu preferred) and its mirror, or None with the reason why not."""
    binary = shutil.which("tofu") or shutil.which("terraform")
    if binary is None:
        return None, "no tofu or terraform binary on PATH"
    mirror = find_mirror()
    named = os.environ.get(MIRROR_ENV)
    if mirror is None and named:
        return None, (
            f"{MIRROR_ENV}={named} is not a provider mirror holding hashicorp/aws "
            "(no registry.*/hashicorp/aws/<version>/<platform>/terraform-provider-aws_* under it): correct or unset it"
        )
    if mirror is None:
        return None, f"no provider mirror holding hashicorp/aws found (set {MIRROR_ENV} to one)"
    return Toolchain(Path(binary), mirror), ""


def cli_config(mirror: Path, directory: Path) -> Path:
    """Write a CLI configuration that installs hashicorp providers only from ``mirror``."""
    cache = directory / "plugin-cache"
    cache.mkdir(exist_ok=True)
    config = directory / "cli.tfrc"
    mirror_hcl = str(mirror).replace("\\", "\\\\").replace('"', '\\"')
    cache_hcl = str(cache).replace("\\", "\\\\").replace('"', '\\"')
    hashicorp = '["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]'
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror_hcl}"\n    include = {hashicorp}\n  }}\n'
        f"  direct {{\n    exclude = {hashicorp}\n  }}\n"
        "}\n"
        f'plugin_cache_dir = "{cache_hcl}"\n',
        encoding="utf-8",
    )
    return config


@contextmanager
def session() -> Iterator[Path]:
    """A scratch folder for CLI configurations and copies, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="orgscaffold-cli-") as tmp:
        yield Path(tmp)


def _environment(toolchain: Toolchain, scratch: Path) -> dict[str, str]:
    # One plugin cache per repository: parallel inits sharing a cache race on its folders, and
    # a cache entry for an unpacked mirror is only a link, so separate caches cost nothing.
    scratch.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(cli_config(toolchain.mirror, scratch)),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    env.pop("TF_DATA_DIR", None)
    return env


def _run(toolchain: Toolchain, args: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(toolchain.binary), *args, "-no-color"],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )


def _failure_text(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return " | ".join(line.strip() for line in text if line.strip())[:2000]


# Where the CLI's diagnostics point: "on main.tf line 9, in resource ...".
_DIAGNOSTIC_LOCATION = re.compile(r"\bon ([^\s,]+) line (\d+)")


def _first_location(result: subprocess.CompletedProcess[str]) -> tuple[str | None, int | None]:
    """The file and line of the first diagnostic in the CLI's output, for the finding's location."""
    match = _DIAGNOSTIC_LOCATION.search(f"{result.stderr}\n{result.stdout}")
    return (match[1], int(match[2])) if match else (None, None)


def check_repository(name: str, root: Path, toolchain: Toolchain, scratch: Path) -> Report:
    """Run init, validate, fmt -check and test (when tests exist) on a copy of one repository."""
    report = Report()
    env = _environment(toolchain, scratch / "cli")
    with tempfile.TemporaryDirectory(prefix="orgscaffold-repo-", dir=scratch) as tmp:
        work = Path(tmp) / name
        shutil.copytree(root, work, ignore=shutil.ignore_patterns(".git", ".terraform", ".terraform.lock.hcl"))
        steps: list[tuple[str, list[str]]] = [
            ("init", ["init", "-backend=false", "-input=false"]),
            ("validate", ["validate"]),
            ("fmt", ["fmt", "-check", "-recursive", "-list=true"]),
        ]
        if any(work.glob("tests/*.tftest.hcl")):
            steps.append(("test", ["test"]))
        for check, args in steps:
            result = _run(toolchain, args, work, env)
            report.count(f"{toolchain.name} {check}")
            if result.returncode != 0:
                if check == "fmt" and result.stdout.split():
                    for file in result.stdout.split():
                        message = f"{toolchain.name} fmt -check: not formatted (run {toolchain.name} fmt)"
                        report.findings.append(Finding("cli-fmt", name, message, file))
                else:
                    message = f"{toolchain.name} {check} failed: {_failure_text(result)}"
                    report.findings.append(Finding(f"cli-{check}", name, message, *_first_location(result)))
                if check == "init":
                    break
    return report


def check_repositories(repositories: Mapping[str, Path], toolchain: Toolchain) -> Report:
    """Run the CLI tier on every repository, two at a time."""
    report = Report()
    with session() as scratch, ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(check_repository, name, path, toolchain, scratch / f"repo-{index}")
            for index, (name, path) in enumerate(repositories.items())
        ]
        for future in futures:
            report.merge(future.result())
    return report
