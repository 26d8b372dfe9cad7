"""Each verification check, fed a deliberately broken input, catches the problem."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from orgscaffold.verify import Report, verify
from orgscaffold.verify import cli as tier2
from orgscaffold.verify.cli import (
    MIRROR_ENV,
    ProviderServers,
    Toolchain,
    check_repositories,
    find_mirror,
    init_key,
    tool_identity,
    validate_key,
)
from orgscaffold.verify.data import DATA_FILE, check_data
from orgscaffold.verify.files import parse_repository

VERSIONS = 'terraform {\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n    }\n  }\n}\n'
VARIABLES = 'variable "name" {\n  type        = string\n  description = "A name."\n}\n'


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("relative", "text", "line"),
    [
        ("main.tf", "locals {\n  a = 1\n  b = = 2\n}\n", 3),
        ("backend.hcl", 'bucket = "x"\nkey = \n', 2),
        ("data.auto.tfvars.json", '{\n  "a": 1,\n  "b": \n}\n', 4),
        (".github/workflows/plan.yml", "on:\n  push:\n    branches: [main\njobs: {}\n", 4),
    ],
)
def test_a_file_that_does_not_parse_is_reported_with_its_line(
    tmp_path: Path, relative: str, text: str, line: int
) -> None:
    report, _ = parse_repository("r", repo(tmp_path, {relative: text}))
    assert [(f.check, f.file, f.line) for f in report.findings] == [("parse", relative, line)]


def test_well_formed_files_parse_cleanly(tmp_path: Path) -> None:
    report, parsed = parse_repository("r", repo(tmp_path, {"versions.tf": VERSIONS, "x.yml": "a: 1\n"}))
    assert report.ok and report.checks_run == {"parse": 2}
    assert parsed["x.yml"] == {"a": 1}


def _data_report(tmp_path: Path, data: object, variables: str = VARIABLES) -> Report:
    root = repo(tmp_path, {"variables.tf": variables, DATA_FILE: json.dumps(data)})
    _, parsed = parse_repository("r", root)
    return check_data("r", parsed)


def test_a_value_without_a_declared_variable_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, {"name": "a", "other": 1})
    assert [f.message for f in report.errors] == ["value 'other' has no variable declaration"]


def test_a_variable_without_type_or_description_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, {"name": "a"}, 'variable "name" {\n  type = string\n}\n')
    assert [f.message for f in report.errors] == ["variable 'name' needs both a type and a description"]


def test_a_data_file_that_is_not_an_object_is_an_error(tmp_path: Path) -> None:
    report = _data_report(tmp_path, ["not", "an", "object"])
    assert [f.check for f in report.errors] == ["data"]


def test_mirror_named_by_the_environment_variable_must_hold_the_aws_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MIRROR_ENV, str(tmp_path))
    assert find_mirror() is None
    provider = tmp_path / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5"
    provider.parent.mkdir(parents=True)
    provider.write_bytes(b"")
    assert find_mirror() == tmp_path


def test_requesting_the_cli_tier_without_a_toolchain_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    root = repo(tmp_path, {"variables.tf": VARIABLES, DATA_FILE: '{"name": "a"}'})
    assert not verify({"r": root}, cli=True).ok
    report = verify({"r": root}, cli=None)
    assert report.ok and report.skipped == ["CLI tier: no tofu or terraform binary on PATH"]


CliTier = Callable[[dict[str, Path]], Report]
GOOD_MAIN = 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n'


def test_cli_tier_passes_a_good_repository(tmp_path: Path, cli_tier: CliTier) -> None:
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN})})
    assert report.ok, report.findings
    assert sorted(check.split()[1] for check in report.checks_run) == ["fmt", "init", "validate"]


def test_cli_tier_catches_unformatted_code(tmp_path: Path, cli_tier: CliTier) -> None:
    ugly = 'resource "aws_s3_bucket" "this" {\nbucket=var.name\n}\n'
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": ugly})})
    assert [f.check for f in report.findings] == ["cli-fmt"]
    assert report.findings[0].file == "main.tf"


def test_cli_tier_catches_an_invalid_reference(tmp_path: Path, cli_tier: CliTier) -> None:
    bad = 'resource "aws_s3_bucket" "this" {\n  bucket = var.missing\n}\n'
    report = cli_tier({"r": repo(tmp_path, {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": bad})})
    assert [f.check for f in report.findings] == ["cli-validate"]
    assert "var.missing" in report.findings[0].message or "undeclared" in report.findings[0].message


def test_cli_tier_runs_shipped_tests_and_catches_a_failing_assertion(tmp_path: Path, cli_tier: CliTier) -> None:
    failing = (
        'mock_provider "aws" {}\n\nvariables {\n  name = "a"\n}\n\nrun "name" {\n  command = plan\n\n'
        '  assert {\n    condition     = aws_s3_bucket.this.bucket == "b"\n    error_message = "wrong bucket"\n  }\n}\n'
    )
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN, "tests/a.tftest.hcl": failing}
    report = cli_tier({"r": repo(tmp_path, files)})
    assert [f.check for f in report.findings] == ["cli-test"]
    assert "wrong bucket" in report.findings[0].message


# The CLI tier's caches and shared providers (orgscaffold.verify.cli; docs/performance.md).

STATE_MAIN = 'resource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n'


def _copy(tmp_path: Path, files: dict[str, str], name: str = "work") -> Path:
    root = tmp_path / name
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def test_the_validate_key_covers_what_validate_reads_and_not_the_data(tmp_path: Path) -> None:
    files = {
        "versions.tf": VERSIONS,
        "variables.tf": VARIABLES,
        "main.tf": STATE_MAIN,
        "modules/m/main.tf": "locals {}\n",
        "tests/a.tftest.hcl": 'run "a" {\n  command = plan\n}\n',
        ".terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.100.0"\n}\n',
        ".terraform/modules/modules.json": '{"Modules":[]}',
        DATA_FILE: '{"name": "a"}',
        "README.md": "# a\n",
    }
    key = validate_key(_copy(tmp_path, files), "cli 1.0")
    assert validate_key(_copy(tmp_path, files, "same"), "cli 1.0") == key
    unchanged = {DATA_FILE: '{"name": "b"}', "README.md": "# b\n", "other.auto.tfvars": 'name = "c"\n'}
    for relative, text in unchanged.items():
        assert validate_key(_copy(tmp_path, {**files, relative: text}, f"data-{relative}"), "cli 1.0") == key
    changed = {
        "main.tf": STATE_MAIN.replace("var.name", '"fixed"'),
        "modules/m/main.tf": "locals {\n  a = 1\n}\n",
        "tests/a.tftest.hcl": 'run "b" {\n  command = plan\n}\n',
        "override.tf.json": "{}",
        "encryption.tofu": "terraform {}\n",
        ".terraform.lock.hcl": 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.100.1"\n}\n',
        ".terraform/modules/modules.json": '{"Modules":[{"Key":"m","Source":"./modules/m","Dir":"modules/m"}]}',
    }
    for relative, text in changed.items():
        assert validate_key(_copy(tmp_path, {**files, relative: text}, f"x-{relative}"), "cli 1.0") != key, relative
    assert validate_key(_copy(tmp_path, files, "other-cli"), "cli 1.1") != key
    # A configuration that reads files with a function makes every file part of the key.
    reading = {**files, "main.tf": STATE_MAIN + 'locals {\n  spec = file("${path.module}/spec.yml")\n}\n'}
    reading_key = validate_key(_copy(tmp_path, reading, "reading"), "cli 1.0")
    edited = _copy(tmp_path, {**reading, "spec.yml": "a: 1\n"}, "reading-spec")
    assert validate_key(edited, "cli 1.0") != reading_key


def test_the_init_key_covers_the_configuration_and_not_the_data(tmp_path: Path) -> None:
    files = {"versions.tf": VERSIONS, "main.tf": STATE_MAIN, DATA_FILE: '{"name": "a"}'}
    key = init_key(_copy(tmp_path, files), "cli 1.0")
    assert init_key(_copy(tmp_path, {**files, DATA_FILE: "{}"}, "data"), "cli 1.0") == key
    assert init_key(_copy(tmp_path, {**files, "versions.tf": VERSIONS + "\n"}, "req"), "cli 1.0") != key
    assert init_key(_copy(tmp_path, {**files, "tests/t.tftest.hcl": "\n"}, "tests"), "cli 1.0") != key
    assert init_key(_copy(tmp_path, files, "cli"), "cli 2.0") != key


def test_the_tool_identity_changes_with_the_binary_and_the_mirror(tmp_path: Path) -> None:
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text('#!/bin/sh\necho \'{"terraform_version":"1.0.0"}\'\n', encoding="utf-8")
    binary.chmod(0o755)
    mirror = tmp_path / "mirror" / "registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    mirror.mkdir(parents=True)
    (mirror / "terraform-provider-aws_v5.0.0_x5").write_bytes(b"provider")
    toolchain = Toolchain(binary, tmp_path / "mirror")
    env = {"PATH": "/usr/bin:/bin"}
    identity = tool_identity(toolchain, tmp_path, env)
    assert "1.0.0" in identity and tool_identity(toolchain, tmp_path, env) == identity
    binary.write_text('#!/bin/sh\necho \'{"terraform_version":"1.0.1"}\'\n', encoding="utf-8")
    assert tool_identity(toolchain, tmp_path, env) != identity
    identity = tool_identity(toolchain, tmp_path, env)
    (mirror.parent.parent / "5.0.1" / "linux_amd64").mkdir(parents=True)
    (mirror.parent.parent / "5.0.1" / "linux_amd64" / "terraform-provider-aws_v5.0.1_x5").write_bytes(b"newer")
    assert tool_identity(toolchain, tmp_path, env) != identity


def _fake_mirror(tmp_path: Path) -> Path:
    package = tmp_path / "mirror" / "registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    package.mkdir(parents=True)
    return package


def test_a_saved_init_is_restored_as_links_into_the_mirror(tmp_path: Path) -> None:
    package = _fake_mirror(tmp_path)
    scratch = tmp_path / "scratch"
    cached = scratch / "plugin-cache" / "registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    cached.parent.mkdir(parents=True)
    cached.symlink_to(package, target_is_directory=True)
    work = _copy(tmp_path, {"main.tf": STATE_MAIN, ".terraform.lock.hcl": "# lock\n"})
    installed = work / ".terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    installed.parent.mkdir(parents=True)
    installed.symlink_to(cached, target_is_directory=True)
    (work / ".terraform/modules").mkdir()
    (work / ".terraform/modules/modules.json").write_text('{"Modules":[{"Key":"","Source":"","Dir":"."}]}')
    saved = tier2._saved_init(work, scratch)
    assert saved is not None and saved["providers"] == [[installed.relative_to(work).as_posix(), str(package)]]
    fresh = _copy(tmp_path, {"main.tf": STATE_MAIN}, "fresh")
    assert tier2._restore_init(saved, fresh)
    restored = fresh / ".terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    assert restored.resolve() == package and (fresh / ".terraform.lock.hcl").read_text() == "# lock\n"
    assert (fresh / ".terraform/modules/modules.json").read_text() == saved["modules"]
    # A package that is gone cannot be restored, and nothing is written.
    gone = _copy(tmp_path, {"main.tf": STATE_MAIN}, "gone")
    assert not tier2._restore_init({**saved, "providers": [[saved["providers"][0][0], str(tmp_path / "x")]]}, gone)
    assert not (gone / ".terraform").exists() and not (gone / ".terraform.lock.hcl").exists()


def test_an_init_that_cannot_outlive_the_run_or_downloaded_modules_is_not_saved(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    copied = scratch / "copy"
    copied.mkdir(parents=True)
    work = _copy(tmp_path, {"main.tf": STATE_MAIN, ".terraform.lock.hcl": "# lock\n"})
    installed = work / ".terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64"
    installed.parent.mkdir(parents=True)
    installed.symlink_to(copied, target_is_directory=True)
    assert tier2._saved_init(work, scratch) is None
    other = _copy(tmp_path, {"main.tf": STATE_MAIN, ".terraform.lock.hcl": "# lock\n"}, "remote")
    (other / ".terraform/modules").mkdir(parents=True)
    manifest = '{"Modules":[{"Key":"vpc","Source":"registry.terraform.io/x/vpc/aws","Dir":".terraform/modules/vpc"}]}'
    (other / ".terraform/modules/modules.json").write_text(manifest)
    assert tier2._saved_init(other, scratch) is None


def _fake_provider(tmp_path: Path, body: str) -> Path:
    """An installed provider whose binary is a script (it need not speak the plugin protocol here)."""
    work = tmp_path / "work"
    platform = work / ".terraform/providers/registry.opentofu.org/hashicorp/aws/5.0.0/linux_amd64"
    platform.mkdir(parents=True)
    binary = platform / "terraform-provider-aws_v5.0.0_x5"
    binary.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    binary.chmod(0o755)
    return work


def test_a_shared_provider_is_started_once_and_stopped_at_the_end(tmp_path: Path) -> None:
    config = {"Protocol": "grpc", "ProtocolVersion": 5, "Pid": 1, "Test": True, "Addr": {"Network": "unix"}}
    line = json.dumps({"registry.terraform.io/hashicorp/aws": config})
    pid_file = tmp_path / "pid"
    printed = f"Provider started. To attach Terraform CLI, set:\n\n\tTF_REATTACH_PROVIDERS='{line}'"
    work = _fake_provider(tmp_path, f"echo $$ >> {pid_file}\ncat <<'END'\n{printed}\nEND\nexec sleep 600")
    with ProviderServers(tmp_path, {"PATH": "/usr/bin:/bin"}) as servers:
        first = servers.reattach(work)
        assert first is not None and servers.reattach(work) == first
        # Keyed by the address the CLI installed it under, whatever address the binary prints.
        assert json.loads(first) == {"registry.opentofu.org/hashicorp/aws": config}
    (pid,) = pid_file.read_text().split()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_a_provider_that_cannot_be_shared_is_started_the_standard_way(tmp_path: Path) -> None:
    work = _fake_provider(tmp_path, "echo 'This binary is a plugin.'; exit 1")
    with ProviderServers(tmp_path, {"PATH": "/usr/bin:/bin"}) as servers:
        assert servers.reattach(work) is None
    with ProviderServers(tmp_path, {"PATH": "/usr/bin:/bin"}, enabled=False) as servers:
        assert servers.reattach(_fake_provider(tmp_path / "other", "sleep 600")) is None


@pytest.fixture
def cli_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own, so that earlier runs cannot answer for it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", str(folder))
    return folder


def _counts(report: Report) -> dict[str, int]:
    return {check.split(" ", 1)[1]: amount for check, amount in report.checks_run.items()}


def test_a_second_run_on_the_same_files_reuses_init_and_validate_and_says_so(
    tmp_path: Path, toolchain: Toolchain, cli_cache: Path
) -> None:
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN, DATA_FILE: '{"name": "a"}'}
    first = check_repositories({"r": repo(tmp_path, files)}, toolchain)
    assert first.ok and _counts(first) == {"init": 1, "validate": 1, "fmt": 1}
    second = check_repositories({"r": repo(tmp_path, files)}, toolchain)
    assert second.ok and _counts(second) == {"init (cached)": 1, "validate (cached)": 1, "fmt": 1}
    # The data is not read by validate: a changed value still finds the entry.
    changed_data = check_repositories({"r": repo(tmp_path, {**files, DATA_FILE: '{"name": "b"}'})}, toolchain)
    assert _counts(changed_data) == {"init (cached)": 1, "validate (cached)": 1, "fmt": 1}
    # A changed configuration file misses both, and its error is found.
    bad = 'resource "aws_s3_bucket" "this" {\n  bucket = var.missing\n}\n'
    broken = check_repositories({"r": repo(tmp_path, {**files, "main.tf": bad})}, toolchain)
    assert _counts(broken) == {"init": 1, "validate": 1, "fmt": 1}
    assert [f.check for f in broken.findings] == ["cli-validate"]


def test_an_invalid_configuration_is_never_served_from_the_cache(
    tmp_path: Path, toolchain: Toolchain, cli_cache: Path
) -> None:
    bad = 'resource "aws_s3_bucket" "this" {\n  bucket = var.missing\n}\n'
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": bad}
    for _ in range(2):
        report = check_repositories({"r": repo(tmp_path, files)}, toolchain)
        assert [f.check for f in report.findings] == ["cli-validate"]
        assert _counts(report)["validate"] == 1 and "validate (cached)" not in _counts(report)


def test_another_cli_or_provider_version_misses_the_cache(
    tmp_path: Path, toolchain: Toolchain, cli_cache: Path
) -> None:
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN}
    assert check_repositories({"r": repo(tmp_path, files)}, toolchain).ok
    # The same CLI behind another binary (as a version manager's shim would be) is another CLI.
    shim = tmp_path / "shim" / toolchain.name
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{toolchain.binary.resolve()}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    report = check_repositories({"r": repo(tmp_path, files)}, Toolchain(shim, toolchain.mirror))
    assert report.ok and _counts(report) == {"init": 1, "validate": 1, "fmt": 1}
    # Another provider version: a mirror offering the same package as 5.100.1.
    (package,) = toolchain.mirror.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*")
    platform = package.parent.name
    other = tmp_path / "mirror" / "registry.terraform.io/hashicorp/aws/5.100.1" / platform
    other.mkdir(parents=True)
    (other / "terraform-provider-aws_v5.100.1_x5").symlink_to(package.resolve())
    report = check_repositories({"r": repo(tmp_path, files)}, Toolchain(toolchain.binary, tmp_path / "mirror"))
    assert report.ok and _counts(report) == {"init": 1, "validate": 1, "fmt": 1}


def test_shared_and_standard_providers_report_alike(tmp_path: Path, toolchain: Toolchain, cli_cache: Path) -> None:
    failing = (
        'mock_provider "aws" {}\n\nvariables {\n  name = "a"\n}\n\nrun "name" {\n  command = plan\n\n'
        '  assert {\n    condition     = aws_s3_bucket.this.bucket == "b"\n    error_message = "wrong bucket"\n  }\n}\n'
    )
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN, "tests/a.tftest.hcl": failing}
    reports = [
        check_repositories({"r": repo(tmp_path, files)}, toolchain, share_providers=share) for share in (True, False)
    ]
    assert [[(f.check, "wrong bucket" in f.message) for f in r.findings] for r in reports] == [[("cli-test", True)]] * 2


def test_the_cli_tier_reports_progress_by_repository_and_step(
    tmp_path: Path, toolchain: Toolchain, cli_cache: Path
) -> None:
    messages: list[str] = []
    files = {"versions.tf": VERSIONS, "variables.tf": VARIABLES, "main.tf": GOOD_MAIN}
    check_repositories({"r": repo(tmp_path, files)}, toolchain, progress=messages.append)
    steps = [m.split("r: ", 1)[1] for m in messages if " r: " in m]
    assert steps[:2] == [f"{toolchain.name} init", f"{toolchain.name} validate"] and steps[-1] == "done (0 problem(s))"
    assert all(re.match(r"^ *\d+\.\d s  ", m) for m in messages[1:])


def test_the_cli_environment_is_the_tiers_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"TF_CLI_ARGS": "-json", "TF_CLI_ARGS_validate": "-json", "TF_REATTACH_PROVIDERS": "{}"}.items():
        monkeypatch.setenv(key, value)
    env = tier2._environment(Toolchain(Path("/bin/terraform"), tmp_path), tmp_path / "cli")
    assert not {"TF_CLI_ARGS", "TF_CLI_ARGS_validate", "TF_REATTACH_PROVIDERS"} & env.keys()
    assert env["TF_CLI_CONFIG_FILE"] == str(tmp_path / "cli" / "cli.tfrc")


def _alive(pid: str) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False


def test_an_interrupted_cli_tier_stops_its_commands_and_says_what_it_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_cache: Path
) -> None:
    # A stand-in CLI: every command succeeds at once, except init in the repository "slow", which
    # starts a child of its own (as the CLI starts providers) and waits for it.
    pids = tmp_path / "pids"
    started = tmp_path / "started"
    binary = tmp_path / "bin" / "terraform"
    binary.parent.mkdir()
    binary.write_text(
        "#!/bin/sh\n"
        'case "$1:$(basename "$PWD")" in\n'
        "  version:*) echo '{}' ;;\n"
        f'  init:slow) sleep 600 & echo "$$ $!" > {pids}; touch {started}; wait ;;\n'
        "esac\n",
        encoding="utf-8",
    )
    binary.chmod(0o755)
    monkeypatch.setenv("ORGSCAFFOLD_JOBS", "1")
    repositories = {name: repo(tmp_path / name, {"main.tf": "locals {}\n"}) for name in ("quick", "slow", "later")}
    main = threading.main_thread().ident
    assert main is not None

    def interrupt_once_slow_init_runs() -> None:
        for _ in range(6000):
            if started.exists():
                signal.pthread_kill(main, signal.SIGINT)  # what Ctrl-C does
                return
            time.sleep(0.05)

    threading.Thread(target=interrupt_once_slow_init_runs, daemon=True).start()
    messages: list[str] = []
    with pytest.raises(tier2.CliTierInterrupted) as interrupted:
        check_repositories(repositories, Toolchain(binary, tmp_path), progress=messages.append)
    what = str(interrupted.value)
    assert "interrupted the terraform checks" in what and "stopped slow at terraform init (" in what
    assert "finished: quick" in what and "not started: later" in what and "1 running command(s) stopped" in what
    assert messages[-1] == what
    # The command and the process it started are both stopped.
    assert [pid for pid in pids.read_text().split() if _alive(pid)] == []
