"""The launcher's workarounds of moto's gaps, each shown needed (moto alone fails) and working.

Each runs in a child process: the workarounds patch moto's classes for the whole process.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("moto", reason="the launcher needs moto (orgscaffold[rehearse])")

# An adopted recorder updated the way the AWS provider does it: with the recording group it read
# back, whose empty exclusion list goes out as an empty object.
_UPDATE_ADOPTED_RECORDER = """
import sys
import boto3
from moto import mock_aws
if sys.argv[1] == "patched":
    from orgscaffold.rehearse.launcher import _patch_config
    _patch_config()
with mock_aws():
    config = boto3.client("config", region_name="eu-west-2")
    recorder = {"name": "default", "roleARN": "arn:aws:iam::123456789012:role/aws-service-role/x"}
    group = {"allSupported": True, "includeGlobalResourceTypes": True}
    config.put_configuration_recorder(ConfigurationRecorder={**recorder, "recordingGroup": group})
    group = {**group, "exclusionByResourceTypes": {}, "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}
    try:
        config.put_configuration_recorder(ConfigurationRecorder={**recorder, "recordingGroup": group})
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(1)
    read = config.describe_configuration_recorders()["ConfigurationRecorders"][0]["recordingGroup"]
    print(read["allSupported"], read["includeGlobalResourceTypes"])
"""


def _update(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _UPDATE_ADOPTED_RECORDER, mode], capture_output=True, text=True, check=False
    )


def test_an_adopted_config_recorder_can_be_updated_in_place() -> None:
    bare = _update("bare")
    assert bare.returncode == 1 and "InvalidRecordingGroup" in bare.stdout, "moto accepts it now: drop the workaround"
    patched = _update("patched")
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert patched.stdout.split() == ["True", "True"]


# An organisation conformance pack created the way the AWS provider does it: inline template, no URI.
_PUT_INLINE_PACK = """
import sys
import boto3
from moto import mock_aws
if sys.argv[1] == "patched":
    from orgscaffold.rehearse.launcher import _patch_config
    _patch_config()
with mock_aws():
    config = boto3.client("config", region_name="eu-west-2")
    body = "Resources:\\n  R:\\n    Type: AWS::Config::ConfigRule\\n"
    try:
        config.put_organization_conformance_pack(
            OrganizationConformancePackName="p", TemplateBody=body, ExcludedAccounts=["210987654321"]
        )
    except Exception as exc:
        print(type(exc).__name__, exc)
        sys.exit(1)
    packs = config.describe_organization_conformance_packs(OrganizationConformancePackNames=["p"])
    pack = packs["OrganizationConformancePacks"][0]
    print(pack["OrganizationConformancePackName"], *pack["ExcludedAccounts"])
"""


def test_a_conformance_pack_with_an_inline_template_can_be_created() -> None:
    def put(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _PUT_INLINE_PACK, mode], capture_output=True, text=True, check=False
        )

    bare = put("bare")
    assert bare.returncode != 0, "moto accepts an inline template now: drop the workaround"
    patched = put("patched")
    assert patched.returncode == 0, patched.stdout + patched.stderr
    assert patched.stdout.split() == ["p", "210987654321"]
