"""The only files the rehearsal adds to its copy of a repository: where the emulator is.

The AWS provider reads the emulator's address from ``AWS_ENDPOINT_URL``; S3 also needs path-style
addresses (``bucket.127.0.0.1`` does not resolve, and resolving it would leave the machine). So:

- an override file (``*_override.tf``, merged into the configuration by OpenTofu and Terraform,
  https://developer.hashicorp.com/terraform/language/files/override) sets ``s3_use_path_style`` on
  every ``provider "aws"`` block and gives every ``terraform_remote_state`` data source the
  emulator's endpoints, keeping its own settings;
- the S3 backend gets the same settings from a separate ``-backend-config`` file, outside the
  repository (https://developer.hashicorp.com/terraform/language/backend/s3).

The files are read as text (they are generated and ``fmt``-clean); nothing here parses HCL fully.
"""

from __future__ import annotations

import re
from pathlib import Path

OVERRIDE_FILE = "zz_orgscaffold_rehearsal_override.tf"
BACKEND_FILE = "emulator.s3.tfbackend"

_PROVIDER = re.compile(r'^provider\s+"aws"\s*\{', re.MULTILINE)
_ALIAS = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)
_REMOTE_STATE = re.compile(r'^data\s+"terraform_remote_state"\s+"([^"]+)"\s*\{', re.MULTILINE)
_CONFIG = re.compile(r"^\s*config\s*=\s*\{", re.MULTILINE)
# Services the S3 backend and terraform_remote_state call: the state object, its lock, the caller.
_STATE_SERVICES = ("s3", "dynamodb", "sts", "iam")


def _body(text: str, start: int) -> str:
    """The text between the ``{`` at ``start - 1`` and its matching ``}`` (strings may hold braces)."""
    depth, index, quoted = 1, start, False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:index]
        index += 1
    raise ValueError("unbalanced braces")


def _configuration(repo: Path) -> list[str]:
    """The text of the repository's root module (modules receive their providers from it)."""
    return [path.read_text(encoding="utf-8") for path in sorted(repo.glob("*.tf")) if path.name != OVERRIDE_FILE]


def provider_aliases(repo: Path) -> list[str | None]:
    """The alias of every ``provider "aws"`` block of the root module (None: the default one)."""
    aliases: list[str | None] = []
    for text in _configuration(repo):
        for match in _PROVIDER.finditer(text):
            body = _body(text, match.end())
            alias = _ALIAS.search(body)
            aliases.append(alias[1] if alias else None)
    return aliases


def remote_states(repo: Path) -> dict[str, str]:
    """Each ``terraform_remote_state`` data source's name and the entries of its ``config`` object."""
    found: dict[str, str] = {}
    for text in _configuration(repo):
        for match in _REMOTE_STATE.finditer(text):
            body = _body(text, match.end())
            config = _CONFIG.search(body)
            if config is None:
                raise ValueError(f'data "terraform_remote_state" "{match[1]}" has no config object')
            found[match[1]] = _body(body, config.end())
    return found


def emulator_settings(endpoint: str) -> list[str]:
    """S3 backend settings (as HCL lines) that send the state's calls to the emulator."""
    endpoints = "\n".join(f'  {service:<8} = "{endpoint}"' for service in _STATE_SERVICES)
    return [
        "endpoints = {\n" + endpoints + "\n}",
        "use_path_style              = true",
        "skip_credentials_validation = true",
        "skip_metadata_api_check     = true",
        "skip_region_validation      = true",
        "skip_requesting_account_id  = true",
    ]


def _indent(lines: list[str], prefix: str) -> str:
    return "\n".join(prefix + line.replace("\n", "\n" + prefix) for line in lines)


def override_text(repo: Path, endpoint: str) -> str:
    """The override file for one repository."""
    parts = ["# Written by `orgscaffold rehearse` into its copy of the repository: the AWS emulator's address.\n"]
    for alias in provider_aliases(repo):
        alias_line = f'  alias             = "{alias}"\n' if alias else ""
        parts.append(f'provider "aws" {{\n{alias_line}  s3_use_path_style = true\n}}\n')
    for name, config in remote_states(repo).items():
        own = "\n".join(line for line in config.strip("\n").splitlines() if line.strip())
        extra = _indent(emulator_settings(endpoint), "    ")
        parts.append(f'data "terraform_remote_state" "{name}" {{\n  config = {{\n{own}\n{extra}\n  }}\n}}\n')
    return "\n".join(parts)


def write_overrides(repo: Path, endpoint: str) -> Path:
    """Write the override file into a copy of a repository; return its path."""
    path = repo / OVERRIDE_FILE
    path.write_text(override_text(repo, endpoint), encoding="utf-8")
    return path


def write_backend_config(directory: Path, endpoint: str) -> Path:
    """Write the S3 backend's ``-backend-config`` file for the emulator into ``directory``."""
    path = directory / BACKEND_FILE
    path.write_text("\n".join(emulator_settings(endpoint)) + "\n", encoding="utf-8")
    return path
