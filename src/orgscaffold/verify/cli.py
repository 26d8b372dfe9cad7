"""Tier 2: the real OpenTofu or Terraform CLI judges each repository, offline.

Runs ``init -backend=false`` against a local provider mirror (never the network), ``validate``,
``fmt -check`` and, where the repository ships tests, ``test`` with its mocked providers. Each
repository is checked in a temporary copy, so the CLI's working files (``.terraform/``, the lock
file) never land in the client's repository.

Where the time goes and why each shortcut keeps the checks the same: docs/performance.md, "The
CLI tier". In short:

- The repositories are checked at the same time, one per usable core (``ORGSCAFFOLD_JOBS``).
- Every command would start its own copy of each provider plugin (for the AWS provider, a 700 MB
  program that also has its package hashed against the lock file first), once per provider
  configuration and, in ``test``, again for every run block. Instead each provider binary that
  ``init`` installed runs once, as a plugin server in the SDK's debug mode, and ``validate`` and
  ``test`` attach to it through ``TF_REATTACH_PROVIDERS`` (the mechanism the provider SDKs' own
  acceptance tests use: https://developer.hashicorp.com/terraform/plugin/debugging). Same binary,
  same requests; mocked providers never configure it. A command that fails that way is run again
  the standard way, and only the standard run's result is reported.
- ``validate`` reads the configuration and test files, never variable values: a success is
  cached by the content of everything it can read, the lock file and the CLI and provider
  versions (:func:`validate_key`), and reported as ``validate (cached)``. Failures are never
  cached.
- ``init`` is cached the same way (:func:`init_key`): the lock file, the module manifest and links
  to the mirror's provider packages, reported as ``init (cached)``; so ``validate DIR`` after
  ``new`` runs no init again.
- ``fmt -check`` runs once over all the copies.

Ctrl-C (a KeyboardInterrupt, or the :class:`~orgscaffold.errors.Interrupted` the ``orgscaffold``
command raises) while the tier runs stops every command it started, with the providers they
started, and the shared provider servers, then raises the same kind again (a KeyboardInterrupt as
:class:`CliTierInterrupted`) saying which repository was at which step.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgscaffold.cache import cache_dir, write_atomically
from orgscaffold.errors import Interrupted
from orgscaffold.parallel import jobs
from orgscaffold.verify.findings import Finding, Report

MIRROR_ENV = "ORGSCAFFOLD_PROVIDER_MIRROR"
# "off" starts providers the standard way in every command (for benchmarks/cli_tier.py's
# comparison, and a way out should a CLI ever misbehave with a shared provider).
SHARE_ENV = "ORGSCAFFOLD_CLI_SHARE_PROVIDERS"
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
# A long step says it is still running this often (seconds).
_HEARTBEAT = 30.0
# How long a provider plugin server may take to start (a loaded machine needs seconds).
_SERVER_START = 120.0

# Bump when what a cache key covers changes: older entries are then simply not found.
_CACHE_FORMAT = 1
_CACHE_KIND = "cli"
# Files the CLI reads as configuration or tests (OpenTofu's own extensions included).
_CONFIG_SUFFIXES = (
    ".tf",
    ".tf.json",
    ".tofu",
    ".tofu.json",
    ".tftest.hcl",
    ".tftest.json",
    ".tofutest.hcl",
    ".tofutest.json",
)
# Functions that read other files while validate evaluates the configuration.
_FILE_FUNCTIONS = re.compile(
    r"\b(?:file|filebase64|filemd5|filesha1|filesha256|filesha512|filebase64sha256|filebase64sha512"
    r"|fileexists|fileset|templatefile)\s*\("
)
_LOCK_FILE = ".terraform.lock.hcl"
_MODULES_MANIFEST = ".terraform/modules/modules.json"
_REATTACH_LINE = re.compile(r"TF_REATTACH_PROVIDERS='(\{.*\})'")
# Runs a provider in debug mode with its output in a file, and stops it when our end of its stdin
# closes (when the tier ends, and also when this process dies without cleaning up) or when the
# watchdog itself is interrupted or terminated. The watchdog ends when the provider does, so that
# a provider that exits at once (one that cannot serve) is seen at once, not after _SERVER_START.
# (The reader gets the watchdog's stdin as fd 3, opened before: a background job's stdin is /dev/null.)
_WATCHDOG = (
    '"$0" -debug </dev/null >"$1" 2>&1 &\nchild=$!\n'
    "trap 'kill \"$child\" 2>/dev/null; exit 130' INT TERM HUP\n"
    'exec 3<&0\n{ read -r _ <&3 || :; kill "$child" 2>/dev/null; } &\nreader=$!\n'
    'wait "$child"\nkill "$reader" 2>/dev/null\n'
)
# How long an interrupted command may take to stop before it is killed (seconds).
_STOP_GRACE = 5.0


class CliTierInterrupted(KeyboardInterrupt):
    """The CLI tier was interrupted; its message says which repository was at which step. Every
    command the tier started has been stopped by the time this is raised."""


class _Stopped(Exception):
    """Raised in a worker that tries to start a command after the tier was interrupted."""


class _Children:
    """The commands the tier is running, each in its own process group (with the provider plugins
    it starts), so that an interrupted tier can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self.stopped = False

    def start(self, command: list[str], **kwargs: Any) -> subprocess.Popen[str]:
        with self._lock:
            if self.stopped:
                raise _Stopped
            process: subprocess.Popen[str] = subprocess.Popen(command, process_group=0, **kwargs)
            self._running.add(process)
            return process

    def finished(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._running.discard(process)

    def refuse(self) -> None:
        """Start no command from now on (:meth:`start` raises ``_Stopped``)."""
        with self._lock:
            self.stopped = True

    def stop_all(self) -> int:
        """Refuse new commands; ask the running ones to stop (SIGTERM: the CLI stops gracefully and
        stops its providers), kill whatever is left after a grace period. How many were running."""
        with self._lock:
            self.stopped = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_GRACE
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(process, signal.SIGKILL)  # the group may outlive its leader
            process.wait()
        return len(running)


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


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
    # Extra arguments from the environment would change what the commands do and print, and a
    # reattach configuration of the user's would replace the tier's providers.
    for key in [k for k in env if k == "TF_DATA_DIR" or k == "TF_REATTACH_PROVIDERS" or k.startswith("TF_CLI_ARGS")]:
        env.pop(key)
    return env


def _run(
    toolchain: Toolchain,
    args: list[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    children: _Children,
    heartbeat: Callable[[float], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run one CLI command, tracked by ``children``; ``heartbeat(seconds)`` is called while it runs long."""
    command = [str(toolchain.binary), *args, "-no-color"]
    process = children.start(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    started = time.monotonic()
    try:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=min(_HEARTBEAT, _TIMEOUT))
                return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - started
                if elapsed >= _TIMEOUT:
                    _signal_group(process, signal.SIGKILL)
                    stdout, stderr = process.communicate()
                    return subprocess.CompletedProcess(command, -9, stdout, f"timed out after {_TIMEOUT} s\n{stderr}")
                if heartbeat is not None:
                    heartbeat(elapsed)
    finally:
        children.finished(process)


def _failure_text(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return " | ".join(line.strip() for line in text if line.strip())[:2000]


# ---------------------------------------------------------------------------------------------
# Cache keys: everything a command can read, so that an entry is never stale, only missing.


def _files(root: Path) -> dict[str, Path]:
    """Every file of a repository copy by relative POSIX path, without the CLI's own working files."""
    found: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in {".terraform", ".git"})
        for name in names:
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if relative != _LOCK_FILE:
                found[relative] = path
    return found


def _hash_files(digest: Any, files: Mapping[str, Path]) -> None:
    for relative in sorted(files):
        content = files[relative].read_bytes()
        digest.update(f"{relative}\0{len(content)}\0".encode())
        digest.update(content)


def _optional_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return "\0absent"


def _local_modules_only(work: Path) -> bool:
    """Every module ``init`` installed is a folder of the repository itself (nothing downloaded)."""
    manifest = work / _MODULES_MANIFEST
    if not manifest.exists():
        return True
    try:
        modules = json.loads(manifest.read_text(encoding="utf-8")).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        return False
    for module in modules:
        folder = str(module.get("Dir", "")) if isinstance(module, dict) else ""
        resolved = (work / folder).resolve()
        if folder.startswith(".terraform") or not (resolved == work.resolve() or work.resolve() in resolved.parents):
            return False
    return True


def _mirror_identity(mirror: Path) -> str:
    """The mirror's folder and the size and time of every file in it (followed through links)."""
    lines = [str(mirror.resolve())]
    for folder, dirs, names in os.walk(mirror, followlinks=True):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            lines.append(f"{path.relative_to(mirror).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(lines)


def tool_identity(toolchain: Toolchain, cwd: Path, env: Mapping[str, str], children: _Children | None = None) -> str:
    """What identifies the CLI and the providers it may use: the binary (path, size, time), the
    version it reports in ``cwd`` (a version manager's shim may choose one by folder) and the
    mirror's contents."""
    binary = toolchain.binary.resolve()
    stat = binary.stat()
    version = _run(toolchain, ["version", "-json"], cwd, env, children=children or _Children())
    reported = version.stdout if version.returncode == 0 else f"\0failed {version.returncode}"
    mirror = _mirror_identity(toolchain.mirror)
    return "\n".join([str(binary), str(stat.st_size), str(stat.st_mtime_ns), reported, mirror])


def init_key(work: Path, identity: str) -> str:
    """The cache key of ``init -backend=false`` in ``work``: the CLI and mirror (``identity``, from
    :func:`tool_identity`) and every configuration and test file (provider requirements, module
    calls, test modules). The repository's own lock file is never copied, so it plays no part."""
    digest = hashlib.sha256(f"init\0{_CACHE_FORMAT}\0{identity}\0".encode())
    _hash_files(digest, {rel: path for rel, path in _files(work).items() if rel.endswith(_CONFIG_SUFFIXES)})
    return digest.hexdigest()


def validate_key(work: Path, identity: str) -> str:
    """The cache key of ``validate`` in an initialised ``work``: the CLI and mirror (``identity``),
    the lock file (provider versions and package hashes), the module manifest, and every
    configuration and test file; every other file of the repository as well when a configuration
    file calls a function that reads files. Variable values (``*.tfvars``) are not read by
    validate, so a change to the data alone finds the same entry."""
    files = _files(work)
    config = {rel: path for rel, path in files.items() if rel.endswith(_CONFIG_SUFFIXES)}
    if any(_FILE_FUNCTIONS.search(path.read_text(encoding="utf-8", errors="replace")) for path in config.values()):
        config = files
    digest = hashlib.sha256(f"validate\0{_CACHE_FORMAT}\0{identity}\0".encode())
    digest.update(f"{_optional_text(work / _LOCK_FILE)}\0{_optional_text(work / _MODULES_MANIFEST)}\0".encode())
    _hash_files(digest, config)
    return digest.hexdigest()


def _cache_entry(key: str) -> Path | None:
    folder = cache_dir(_CACHE_KIND)
    return folder / f"{key}.json" if folder is not None else None


def _read_entry(key: str) -> dict[str, Any] | None:
    path = _cache_entry(key)
    if path is None:
        return None
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def _write_entry(key: str, entry: dict[str, Any]) -> None:
    path = _cache_entry(key)
    if path is not None:
        write_atomically(path, json.dumps(entry, sort_keys=True).encode())


def _saved_init(work: Path, scratch: Path) -> dict[str, Any] | None:
    """What ``init`` left in ``work``, if it can be restored elsewhere: a lock file, a manifest of
    the repository's own modules, and provider folders that are links into the mirror."""
    data = work / ".terraform"
    if not data.is_dir() or not (work / _LOCK_FILE).is_file() or not _local_modules_only(work):
        return None
    expected = {data / "providers", data / "modules"}
    if any(child not in expected for child in data.iterdir()):
        return None
    modules = data / "modules"
    if modules.exists() and [p.name for p in modules.iterdir()] != ["modules.json"]:
        return None
    links: list[list[str]] = []
    scratch = scratch.resolve()
    for platform in sorted((data / "providers").glob("*/*/*/*/*")):
        target = platform.resolve()
        if not platform.is_symlink() or scratch in target.parents or not target.is_dir():
            return None  # a copy inside the scratch folder would not outlive this run
        links.append([platform.relative_to(work).as_posix(), str(target)])
    return {
        "lock": (work / _LOCK_FILE).read_text(encoding="utf-8"),
        "modules": (work / _MODULES_MANIFEST).read_text(encoding="utf-8") if modules.exists() else None,
        "providers": links,
    }


def _init_of(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    return entry.get("init") if entry is not None and isinstance(entry.get("init"), dict) else None


def _restore_init(entry: dict[str, Any] | None, work: Path) -> bool:
    """Recreate a saved init in ``work``; False (nothing written) when it cannot be."""
    if entry is None or not isinstance(entry.get("lock"), str) or not isinstance(entry.get("providers"), list):
        return False
    links = entry["providers"]
    if not all(isinstance(link, list) and len(link) == 2 and Path(link[1]).is_dir() for link in links):
        return False
    for relative, target in links:
        path = work / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target, target_is_directory=True)
    if isinstance(entry.get("modules"), str):
        (work / _MODULES_MANIFEST).parent.mkdir(parents=True, exist_ok=True)
        (work / _MODULES_MANIFEST).write_text(entry["modules"], encoding="utf-8")
    (work / _LOCK_FILE).write_text(entry["lock"], encoding="utf-8")
    return True


# ---------------------------------------------------------------------------------------------
# Shared provider plugin servers.


class ProviderServers:
    """One plugin server per provider binary, started on first use and shared by every command."""

    def __init__(self, scratch: Path, env: Mapping[str, str], *, enabled: bool = True) -> None:
        self._scratch = scratch
        self._env = dict(env)
        self._enabled = enabled
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._servers: dict[Path, tuple[subprocess.Popen[bytes] | None, dict[str, Any] | None]] = {}

    def reattach(self, work: Path) -> str | None:
        """``TF_REATTACH_PROVIDERS`` for the providers ``init`` installed in ``work`` (None: none shared)."""
        if not self._enabled:
            return None
        providers = work / ".terraform" / "providers"
        entries: dict[str, dict[str, Any]] = {}
        for platform in sorted(providers.glob("*/*/*/*/*")):
            host, namespace, kind = platform.relative_to(providers).parts[:3]
            binaries = sorted(platform.glob(f"terraform-provider-{kind}*"))
            if len(binaries) != 1:
                continue
            config = self._server(binaries[0].resolve())
            if config is not None:
                entries[f"{host}/{namespace}/{kind}"] = config
        return json.dumps(entries) if entries else None

    def _server(self, binary: Path) -> dict[str, Any] | None:
        with self._lock:
            if binary not in self._servers:
                self._servers[binary] = self._start(binary)
            return self._servers[binary][1]

    def _start(self, binary: Path) -> tuple[subprocess.Popen[bytes] | None, dict[str, Any] | None]:
        log = self._scratch / f"provider-{len(self._servers)}.log"
        log.write_bytes(b"")
        try:
            process = subprocess.Popen(
                ["sh", "-c", _WATCHDOG, str(binary), str(log)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=self._env,
            )
        except OSError:
            return None, None
        deadline = time.monotonic() + _SERVER_START
        while time.monotonic() < deadline and not self._closing.is_set():
            match = _REATTACH_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
            if match:
                try:
                    configs = json.loads(match[1])
                except ValueError:
                    break
                if isinstance(configs, dict) and len(configs) == 1:
                    config = next(iter(configs.values()))
                    if isinstance(config, dict):
                        return process, config
                break
            if process.poll() is not None:
                break
            time.sleep(0.05)
        _stop(process)
        return None, None

    def close(self) -> None:
        """Stop every server (a server still starting stops waiting first)."""
        self._closing.set()
        with self._lock:
            for process, _ in self._servers.values():
                if process is not None:
                    _stop(process)
            self._servers.clear()

    def __enter__(self) -> ProviderServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---------------------------------------------------------------------------------------------
# The tier.


@dataclass
class _Tier:
    toolchain: Toolchain
    scratch: Path
    servers: ProviderServers
    progress: Callable[[str], None] | None
    children: _Children
    started: float = field(default_factory=time.monotonic)
    # What each repository is doing: the step and when it began, or None once it is done.
    steps: dict[str, tuple[str, float] | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def say(self, name: str, message: str) -> None:
        if self.progress is None:
            return
        with self._lock:
            self.progress(f"{self.elapsed():6.1f} s  {name}: {message}")

    def at(self, name: str, step: str | None) -> None:
        """Record that ``name`` is at ``step`` (None: finished), for an interruption to report;
        once interrupted, what the workers do while they wind down is not recorded."""
        with self._lock:
            if not self.children.stopped:
                self.steps[name] = (step, time.monotonic()) if step is not None else None

    def run(self, name: str, step: str, args: list[str], work: Path, env: Mapping[str, str]) -> Any:
        self.say(name, f"{self.toolchain.name} {step}")
        self.at(name, f"{self.toolchain.name} {step}")
        result = _run(self.toolchain, args, work, env, children=self.children, heartbeat=self._heartbeat(name, step))
        if self.children.stopped:
            raise _Stopped  # an interrupted command's result judges nothing and is never cached
        return result

    def interrupt(self, names: list[str]) -> str:
        """Stop every command and say what was interrupted (``names``: every repository, in order)."""
        with self._lock:
            self.children.refuse()
            steps = dict(self.steps)
        now = time.monotonic()
        stopped = self.children.stop_all()
        running = [
            f"{name} at {step[0]} ({now - step[1]:.1f} s into it)"
            for name in names
            if (step := steps.get(name)) is not None
        ]
        done = [name for name in names if name in steps and steps[name] is None]
        waiting = [name for name in names if name not in steps]
        parts = [f"interrupted the {self.toolchain.name} checks after {self.elapsed():.1f} s"]
        parts.append(f"stopped {', '.join(running)}" if running else "no repository was at a step")
        if done:
            parts.append(f"finished: {', '.join(done)}")
        if waiting:
            parts.append(f"not started: {', '.join(waiting)}")
        parts.append(f"{stopped} running command(s) stopped")
        return "; ".join(parts)

    def _heartbeat(self, name: str, step: str) -> Callable[[float], None]:
        return lambda seconds: self.say(name, f"{self.toolchain.name} {step} still running ({seconds:.0f} s)")

    def judged(
        self, name: str, step: str, args: list[str], work: Path, env: Mapping[str, str], reattach: str | None
    ) -> subprocess.CompletedProcess[str]:
        """Run with the shared providers; a failure is run again the standard way, and that run counts."""
        if reattach is not None:
            result: subprocess.CompletedProcess[str] = self.run(
                name, step, args, work, {**env, "TF_REATTACH_PROVIDERS": reattach}
            )
            if result.returncode == 0:
                return result
            self.say(name, f"{self.toolchain.name} {step} failed: running it again without shared providers")
        result = self.run(name, step, args, work, env)
        return result


# Where the CLI's diagnostics point: "on main.tf line 9, in resource ...".
_DIAGNOSTIC_LOCATION = re.compile(r"\bon ([^\s,]+) line (\d+)")


def _first_location(result: subprocess.CompletedProcess[str]) -> tuple[str | None, int | None]:
    """The file and line of the first diagnostic in the CLI's output, for the finding's location."""
    match = _DIAGNOSTIC_LOCATION.search(f"{result.stderr}\n{result.stdout}")
    return (match[1], int(match[2])) if match else (None, None)


def _unformatted(tool: str, name: str, files: list[str]) -> list[Finding]:
    """One finding per file ``fmt -check`` lists, located at that file."""
    message = f"{tool} fmt -check: not formatted (run {tool} fmt)"
    return [Finding("cli-fmt", name, message, file) for file in files]


def _fmt_all(tier: _Tier, copies: Mapping[str, Path], root: Path) -> dict[str, Report] | None:
    """``fmt -check`` once over every copy (in ``root``), one report per repository; None when its
    output cannot be attributed to the repositories (then each runs its own)."""
    tool = tier.toolchain.name
    env = _environment(tier.toolchain, tier.scratch / "cli-fmt")
    tier.say("all repositories", f"{tool} fmt -check")
    result = _run(tier.toolchain, ["fmt", "-check", "-recursive", "-list=true"], root, env, children=tier.children)
    if tier.children.stopped:
        raise _Stopped
    reports = {name: Report() for name in copies}
    for report in reports.values():
        report.count(f"{tool} fmt")
    if result.returncode == 0:
        return reports
    listed = result.stdout.split()
    if result.stderr.strip() or not listed:
        return None
    prefixes = {copy.relative_to(root).as_posix() + "/": name for name, copy in copies.items()}
    unformatted: dict[str, list[str]] = {}
    for path in listed:
        owner = next((prefix for prefix in prefixes if path.startswith(prefix)), None)
        if owner is None:
            return None
        unformatted.setdefault(prefixes[owner], []).append(path[len(owner) :])
    for name, files in unformatted.items():
        reports[name].findings.extend(_unformatted(tool, name, files))
    return reports


def _fmt_one(tier: _Tier, name: str, work: Path, env: Mapping[str, str]) -> Report:
    report = Report()
    tool = tier.toolchain.name
    result = tier.run(name, "fmt -check", ["fmt", "-check", "-recursive", "-list=true"], work, env)
    report.count(f"{tool} fmt")
    if result.returncode != 0 and result.stdout.split():
        report.findings.extend(_unformatted(tool, name, result.stdout.split()))
    elif result.returncode != 0:
        report.findings.append(Finding("cli-fmt", name, f"{tool} fmt -check failed: {_failure_text(result)}"))
    return report


def _check_copy(tier: _Tier, name: str, work: Path, index: int, fmt: Report | None) -> Report:
    """init, validate, fmt -check (``fmt``: already run) and test on one repository copy."""
    tool = tier.toolchain.name
    report = Report()
    env = _environment(tier.toolchain, tier.scratch / f"cli-{index}")
    caching = cache_dir(_CACHE_KIND) is not None
    tier.at(name, f"{tool} version")
    identity = tool_identity(tier.toolchain, work, env, tier.children) if caching else ""

    key = init_key(work, identity) if caching else ""
    if caching and _restore_init(_init_of(_read_entry(key)), work):
        tier.say(name, f"{tool} init (cached)")
        report.count(f"{tool} init (cached)")
    else:
        result = tier.run(name, "init", ["init", "-backend=false", "-input=false"], work, env)
        report.count(f"{tool} init")
        if result.returncode != 0:
            message = f"{tool} init failed: {_failure_text(result)}"
            report.findings.append(Finding("cli-init", name, message, *_first_location(result)))
            if fmt is not None:
                report.merge(fmt)
            return report
        saved = _saved_init(work, tier.scratch) if caching else None
        if saved is not None:
            _write_entry(key, {"init": saved})
    reattach = tier.servers.reattach(work)

    key = validate_key(work, identity) if caching and _local_modules_only(work) else ""
    entry = _read_entry(key) if key else None
    if entry is not None and entry.get("validate") == "ok":
        tier.say(name, f"{tool} validate (cached)")
        report.count(f"{tool} validate (cached)")
    else:
        result = tier.judged(name, "validate", ["validate"], work, env, reattach)
        report.count(f"{tool} validate")
        if result.returncode == 0:
            if key:
                _write_entry(key, {"validate": "ok"})
        else:
            message = f"{tool} validate failed: {_failure_text(result)}"
            report.findings.append(Finding("cli-validate", name, message, *_first_location(result)))

    report.merge(fmt if fmt is not None else _fmt_one(tier, name, work, env))

    if any(work.glob("tests/*.tftest.hcl")):
        result = tier.judged(name, "test", ["test"], work, env, reattach)
        report.count(f"{tool} test")
        if result.returncode != 0:
            message = f"{tool} test failed: {_failure_text(result)}"
            report.findings.append(Finding("cli-test", name, message, *_first_location(result)))
    tier.say(name, f"done ({len(report.errors)} problem(s))")
    tier.at(name, None)
    return report


def check_repositories(
    repositories: Mapping[str, Path],
    toolchain: Toolchain,
    *,
    progress: Callable[[str], None] | None = None,
    share_providers: bool | None = None,
) -> Report:
    """Run the CLI tier on every repository, several at a time; ``progress`` hears which
    repository is at which step, with the seconds since the tier started. ``share_providers``
    (default: unless ``ORGSCAFFOLD_CLI_SHARE_PROVIDERS`` is ``off``): one server per provider.

    A KeyboardInterrupt stops every command the tier started and the shared provider servers,
    tells ``progress`` what was interrupted, and is raised again as :class:`CliTierInterrupted`
    with the same description."""
    report = Report()
    if not repositories:
        return report
    if share_providers is None:
        share_providers = os.environ.get(SHARE_ENV, "").strip().lower() not in {"off", "0", "false", "no"}
    children = _Children()
    with session() as scratch:
        servers_env = _environment(toolchain, scratch / "cli-servers")
        copies_root = scratch / "copies"
        copies: dict[str, Path] = {}
        for index, (name, root) in enumerate(repositories.items()):
            work = copies_root / str(index) / name
            shutil.copytree(root, work, ignore=shutil.ignore_patterns(".git", ".terraform", _LOCK_FILE))
            copies[name] = work
        workers = max(1, min(len(copies), jobs()))
        with ProviderServers(scratch, servers_env, enabled=share_providers) as servers:
            tier = _Tier(toolchain, scratch, servers, progress, children)
            if progress is not None:
                progress(
                    f"{toolchain.name} init, validate, fmt -check and test on {len(copies)} repositories, "
                    f"{workers} at a time"
                )
            pool = ThreadPoolExecutor(max_workers=workers)
            try:
                fmt = _fmt_all(tier, copies, copies_root)
                futures = [
                    pool.submit(_check_copy, tier, name, work, index, fmt[name] if fmt is not None else None)
                    for index, (name, work) in enumerate(copies.items())
                ]
                for future in futures:
                    # Waiting in short steps: a signal delivered to a worker thread still reaches
                    # this one as a KeyboardInterrupt within the step.
                    while True:
                        try:
                            report.merge(future.result(timeout=0.5))
                            break
                        except FutureTimeout:
                            continue
            except (KeyboardInterrupt, Interrupted) as exc:
                # The workers' commands are stopped first, so that waiting for the workers is short.
                what = tier.interrupt(list(copies))
                pool.shutdown(wait=True, cancel_futures=True)
                servers.close()
                if progress is not None:
                    progress(what)
                # The same kind as came in (the orgscaffold command raises Interrupted on Ctrl-C).
                raise (Interrupted(what) if isinstance(exc, Interrupted) else CliTierInterrupted(what)) from None
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    return report
