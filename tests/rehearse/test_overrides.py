"""The override files that point a copy of a repository at the emulator, and nothing else."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from orgscaffold.rehearse.overrides import (
    OVERRIDE_FILE,
    override_text,
    provider_aliases,
    remote_states,
    write_backend_config,
    write_overrides,
)

ENDPOINT = "http://127.0.0.1:45678"

PROVIDERS = """\
# Two providers; the braces in the string below must not end the block.
provider "aws" {
  region = var.region

  default_tags {
    tags = { note = "a } brace" }
  }
}

provider "aws" {
  alias  = "dns"
  region = "eu-west-2"

  assume_role {
    role_arn = "arn:aws:iam::${local.account_ids["dns"]}:role/${var.member_role_name}"
  }
}
"""

REMOTE_STATE = """\
data "terraform_remote_state" "bootstrap" {
  backend = "s3"

  config = {
    bucket = "acme-tofu-state-mgmt"
    key    = "aws-bootstrap/terraform.tfstate"
    region = "eu-west-2"
  }
}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "providers.tf").write_text(PROVIDERS, encoding="utf-8")
    (tmp_path / "remote_state.tf").write_text(REMOTE_STATE, encoding="utf-8")
    (tmp_path / "modules" / "zone").mkdir(parents=True)
    (tmp_path / "modules" / "zone" / "main.tf").write_text('provider "aws" {\n  alias = "ignored"\n}\n')
    return tmp_path


def test_every_root_provider_and_remote_state_is_found(repo: Path) -> None:
    assert provider_aliases(repo) == [None, "dns"]
    assert list(remote_states(repo)) == ["bootstrap"]
    assert 'key    = "aws-bootstrap/terraform.tfstate"' in remote_states(repo)["bootstrap"]


def test_the_override_keeps_the_remote_states_settings_and_adds_the_emulators(repo: Path) -> None:
    parsed = hcl2.loads(override_text(repo, ENDPOINT))
    providers = [next(iter(block.values())) for block in parsed["provider"]]
    assert [p.get("alias") for p in providers] == [None, '"dns"']
    assert all(p["s3_use_path_style"] is True for p in providers)
    (data,) = parsed["data"]
    config = data['"terraform_remote_state"']['"bootstrap"']["config"]
    assert config["bucket"] == '"acme-tofu-state-mgmt"'
    assert config["key"] == '"aws-bootstrap/terraform.tfstate"'
    assert config["use_path_style"] is True
    assert config["endpoints"] == {service: f'"{ENDPOINT}"' for service in ("s3", "dynamodb", "sts", "iam")}


def test_writing_adds_one_override_file_and_changes_nothing_else(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    path = write_overrides(repo, ENDPOINT)
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    assert path == repo / OVERRIDE_FILE and path.name.endswith("_override.tf")
    assert {p: b for p, b in after.items() if p != path} == before
    # Writing again reads the configuration without its own override file.
    assert write_overrides(repo, ENDPOINT).read_text() == path.read_text()

    backend = write_backend_config(tmp_path_factory.mktemp("scratch"), ENDPOINT)
    settings = hcl2.loads(backend.read_text())
    assert settings["use_path_style"] is True and settings["skip_requesting_account_id"] is True
    assert settings["endpoints"]["s3"] == f'"{ENDPOINT}"'


def test_a_remote_state_without_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "remote_state.tf").write_text('data "terraform_remote_state" "x" {\n  backend = "s3"\n}\n')
    with pytest.raises(ValueError, match="has no config object"):
        remote_states(tmp_path)
