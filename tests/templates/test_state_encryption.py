"""OpenTofu state encryption: encryption.tofu in identity, dns and website when state.encryption is kms.

No tofu binary is needed: the .tofu files are checked by parsing them (python-hcl2), by comparing
them with what `fmt` makes of them (Terraform formats HCL it does not interpret), and by running the
Terraform CLI tier on a repository that holds one (Terraform must ignore .tofu files).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

from orgscaffold.plan import plan
from orgscaffold.questionnaire import Questionnaire, load_questionnaire, validate_questionnaire
from orgscaffold.render import render, template_source
from orgscaffold.verify import Report
from orgscaffold.verify.cli import Toolchain
from tests.conftest import EXAMPLES

ENCRYPTED = ("identity", "dns", "website")


def _seed(encryption: str) -> Questionnaire:
    data = yaml.safe_load((EXAMPLES / "seed.yaml").read_text(encoding="utf-8"))
    data.setdefault("state", {})["encryption"] = encryption
    return validate_questionnaire(data)


KMS_VARIANTS: dict[str, Callable[[], Questionnaire]] = {
    "seed-kms": lambda: _seed("kms"),
    "acme-full": lambda: load_questionnaire(EXAMPLES / "acme-full.yaml"),
}

Rendered = tuple[Questionnaire, dict[str, Path]]


def _render(q: Questionnaire, staging: Path) -> dict[str, Path]:
    return render(plan(q), staging, source=template_source())


@pytest.fixture(scope="module", params=sorted(KMS_VARIANTS))
def kms(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    q = KMS_VARIANTS[request.param]()
    assert q.state.encryption == "kms"
    return q, _render(q, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="module")
def unencrypted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _render(_seed("none"), tmp_path_factory.mktemp("seed-none"))


def _encryption(root: Path) -> dict[str, Any]:
    """The body of terraform { encryption { ... } } in the repository's encryption.tofu."""
    document = hcl2.loads((root / "encryption.tofu").read_text(encoding="utf-8"))
    assert [sorted(k for k in block if not k.startswith("__")) for block in document["terraform"]] == [["encryption"]]
    [encryption] = document["terraform"][0]["encryption"]
    return dict(encryption)


def _labelled(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Blocks with two labels (key_provider "T" "N") as {"T.N": body}."""
    return {
        f"{kind.strip(chr(34))}.{name.strip(chr(34))}": body
        for block in blocks
        for kind, named in block.items()
        for name, body in named.items()
    }


def _remote_state_sources(root: Path) -> set[str]:
    """Names of the terraform_remote_state data sources this repository declares."""
    document = hcl2.loads((root / "remote_state.tf").read_text(encoding="utf-8"))
    return {
        name.strip('"')
        for block in document.get("data", [])
        for kind, named in block.items()
        if kind.strip('"') == "terraform_remote_state"
        for name in named
    }


def _plain(value: Any) -> Any:
    """Drop python-hcl2's bookkeeping keys so structures compare as written."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_key_provider_names_each_repository_s_own_key_by_alias(kms: Rendered) -> None:
    """One key per state: a repository's own, and the producer's key for a remote state it reads."""
    q, roots = kms
    region = q.state.region or q.client.primary_region
    for key in ENCRYPTED:
        encryption = _encryption(roots[key])
        providers = _plain(_labelled(encryption["key_provider"]))
        own = f"alias/{q.client.slug}-tofu-state-{key}"
        expected = {"kms_key_id": f'"{own}"', "region": f'"{region}"', "key_spec": '"AES_256"'}
        assert providers["aws_kms.state"] == expected
        producers = {name.split(".")[1] for name in providers} - {"state"}
        assert producers == ({"dns"} if key == "website" else set()), key
        for producer in producers:
            assert providers[f"aws_kms.{producer}"] == {
                "kms_key_id": f'"alias/{q.client.slug}-tofu-state-{producer}"',
                "region": f'"{region}"',
                "key_spec": '"AES_256"',
                # The producer's state keeps its metadata under its own key provider's name.
                "encrypted_metadata_alias": '"key_provider.aws_kms.state"',
            }
        assert _plain(_labelled(encryption["method"])) == {
            "aes_gcm.state": {"keys": "${key_provider.aws_kms.state}"},
            **{f"aes_gcm.{p}": {"keys": f"${{key_provider.aws_kms.{p}}}"} for p in producers},
        }
        backend = (roots[key] / "backend.hcl").read_text(encoding="utf-8")
        assert f'kms_key_id = "{own}"' in backend


def test_state_and_plan_are_enforced_without_fallback(kms: Rendered) -> None:
    """No unencrypted fallback is shipped: the README documents it for a later switch."""
    _, roots = kms
    for key in ENCRYPTED:
        encryption = _encryption(roots[key])
        enforced = [{"method": "${method.aes_gcm.state}", "enforced": True}]
        assert _plain(encryption["state"]) == enforced and _plain(encryption["plan"]) == enforced, key


def test_remote_states_other_than_bootstrap_are_decrypted(kms: Rendered) -> None:
    """Every remote state except aws-bootstrap's is encrypted; bootstrap's reads plain (no default block)."""
    _, roots = kms
    for key in ENCRYPTED:
        sources = _remote_state_sources(roots[key])
        assert "bootstrap" in sources
        encrypted = sources - {"bootstrap"}
        configured = _encryption(roots[key]).get("remote_state_data_sources")
        if not encrypted:
            assert configured is None, key
            continue
        [remote] = _plain(configured)
        assert "default" not in remote, "a default would make the plain bootstrap state unreadable"
        assert _plain(_labelled_once(remote["remote_state_data_source"])) == {
            name: {"method": f"${{method.aes_gcm.{name}}}"} for name in encrypted
        }


def _labelled_once(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {name.strip('"'): body for block in blocks for name, body in block.items()}


def test_website_decrypts_the_dns_state(kms: Rendered) -> None:
    _, roots = kms
    [remote] = _plain(_encryption(roots["website"])["remote_state_data_sources"])
    assert set(_labelled_once(remote["remote_state_data_source"])) == {"dns"}


def test_bootstrap_state_is_never_client_side_encrypted(kms: Rendered) -> None:
    _, roots = kms
    assert not list(roots["bootstrap"].rglob("*.tofu"))
    readme = (roots["bootstrap"] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## State encryption") :]
    assert "SSE-KMS" in section and "as plain state" in section


def test_absent_when_encryption_is_none(unencrypted: dict[str, Path]) -> None:
    assert set(unencrypted) == {"bootstrap", *ENCRYPTED}
    for key, root in unencrypted.items():
        assert not list(root.rglob("*.tofu")), key
        readme = (root / "README.md").read_text(encoding="utf-8")
        assert "## State encryption" in readme and "state.encryption: kms" in readme, key


def test_readme_migration_snippet_parses_and_drops_enforced(kms: Rendered) -> None:
    """The documented one-apply fallback is valid HCL inside the encryption block and is not enforced."""
    q, roots = kms
    for key in ENCRYPTED:
        readme = (roots[key] / "README.md").read_text(encoding="utf-8")
        section = readme[readme.index("## State encryption") :]
        assert f"alias/{q.client.slug}-tofu-state-{key}" in section
        [snippet, previous] = re.findall(r"```hcl\n(.*?)```", section, flags=re.DOTALL)
        # The move from 0.1.0's shared key: a fallback to it, with its metadata name.
        moved = _plain(hcl2.loads(f"terraform {{\n  encryption {{\n{previous}  }}\n}}\n")["terraform"][0])
        [moved_body] = moved["encryption"]
        assert _plain(_labelled(moved_body["key_provider"]))["aws_kms.previous"]["kms_key_id"] == (
            f'"alias/{q.client.slug}-tofu-state"'
        )
        encryption = _plain(hcl2.loads(f"terraform {{\n  encryption {{\n{snippet}  }}\n}}\n")["terraform"][0])
        [body] = encryption["encryption"]
        assert _labelled(body["method"]) == {"unencrypted.migrate": {}}
        [state] = body["state"]
        assert state == {"method": "${method.aes_gcm.state}", "fallback": [{"method": "${method.unencrypted.migrate}"}]}


def test_encryption_files_are_fmt_clean(kms: Rendered, toolchain: Toolchain) -> None:
    """`fmt -` formats HCL from stdin whatever the file type, so Terraform can check .tofu layout too."""
    _, roots = kms
    for key in ENCRYPTED:
        text = (roots[key] / "encryption.tofu").read_text(encoding="utf-8")
        result = subprocess.run(
            [str(toolchain.binary), "fmt", "-"], input=text, capture_output=True, text=True, check=False, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == text, f"{key}/encryption.tofu is not fmt-clean"


def test_cli_tier_with_encryption_file(
    request: pytest.FixtureRequest, kms: Rendered, cli_tier: Callable[[dict[str, Path]], Report]
) -> None:
    """A repository holding encryption.tofu passes init/validate/fmt/test (Terraform ignores the file).

    One repository of one variant is enough: tests/templates/test_*.py run the CLI tier on acme-full,
    which has encryption on. aws-website is the one with remote_state_data_sources.
    """
    if request.node.callspec.params["kms"] != "seed-kms":
        pytest.skip("acme-full (state.encryption kms) runs through the CLI tier in tests/test_examples.py")
    _, roots = kms
    assert (roots["website"] / "encryption.tofu").is_file()
    report = cli_tier({"aws-website-kms": roots["website"]})
    assert not report.findings, "\n".join(str(f) for f in report.findings)
