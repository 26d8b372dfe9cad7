"""The shortcuts that make rendering and verification fast change nothing in what they produce.

- render.render (one shared template checkout and Jinja environment, no git index syncing,
  repositories rendered in forked workers, compiled templates cached across runs) writes the
  same files, byte for byte and mode for mode, as plain ``copier.run_copy`` per repository, with
  every speed-up of orgscaffold.copier_adapter, with each one turned off, with none, and with
  copier's internals missing;
- the HCL parse cache returns exactly what python-hcl2 returns, for every HCL file rendered.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import copier
import pytest
import yaml

from orgscaffold import copier_adapter
from orgscaffold.cache import cache_dir
from orgscaffold.plan import RepoPlan, plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.render import TemplateSource, render, render_each, template_source
from orgscaffold.verify.files import HCL_SUFFIXES, ParseCaches, _parse, parse_hcl, read_repository
from tests.conftest import EXAMPLES, ROOT, Example


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates as they are on disk, committed in a repository of their own."""
    repo = tmp_path_factory.mktemp("template-repo")
    shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(ROOT / "templates", repo / "templates")
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "-A")
    identity = ["-c", "user.name=tests", "-c", "user.email=tests@orgscaffold.invalid", "-c", "commit.gpgsign=false"]
    _git(repo, *identity, "commit", "--quiet", "--no-verify", "-m", "templates")
    return repo


def _tree(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        path.relative_to(root).as_posix(): (stat.S_IMODE(path.lstat().st_mode), path.read_bytes())
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


Rendered = tuple[list[RepoPlan], dict[str, Path]]


@pytest.fixture(scope="module")
def plain_render(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Rendered]:
    """An example's plans, and its repositories rendered by plain ``copier.run_copy`` one by one (once each)."""
    done: dict[str, Rendered] = {}

    def rendered(example: str) -> Rendered:
        if example not in done:
            plans = plan(load_questionnaire(EXAMPLES / f"{example}.yaml"))
            out = tmp_path_factory.mktemp(f"plain-{example}")
            for repo_plan in plans:
                copier.run_copy(
                    str(template_repo),
                    out / repo_plan.name,
                    data=repo_plan.answers,
                    vcs_ref="HEAD",
                    defaults=True,
                    overwrite=True,
                    unsafe=True,
                    quiet=True,
                )
            done[example] = plans, {p.key: out / p.name for p in plans}
        return done[example]

    return rendered


# How render may run copier: every speed-up; each speed-up turned off alone; none (the public API
# only); and with copier's internals gone, as after a copier release that renamed them. Every mode
# renders the seed; the larger example, which uses every template, with all speed-ups and none.
MODES = ["all", *(f"without-{trick}" for trick in copier_adapter.TRICKS), "public-api", "internals-missing"]
CASES = [("seed", mode) for mode in MODES] + [("acme-full", "all"), ("acme-full", "internals-missing")]


@pytest.mark.parametrize(("example", "mode"), CASES, ids=[f"{example}-{mode}" for example, mode in CASES])
def test_render_writes_what_plain_copier_writes(
    example: str,
    mode: str,
    plain_render: Callable[[str], Rendered],
    template_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if mode.startswith("without-"):
        monkeypatch.setenv(copier_adapter.INTERNALS_ENV, mode.removeprefix("without-"))
    elif mode == "public-api":
        monkeypatch.setenv(copier_adapter.INTERNALS_ENV, "off")
    elif mode == "internals-missing":
        monkeypatch.setattr(copier_adapter, "_Worker", None)
        monkeypatch.setattr(copier_adapter, "_Template", None)
    expected_tricks = {
        "all": set(copier_adapter.TRICKS),
        "public-api": set(),
        "internals-missing": set(),
        "without-template": {"index-sync"},  # the shared Jinja environment needs the shared checkout
    }.get(mode, set(copier_adapter.TRICKS) - {mode.removeprefix("without-")})
    assert copier_adapter.enabled() == expected_tricks
    plans, plain = plain_render(example)
    fast = render(plans, tmp_path / "fast", source=TemplateSource(str(template_repo), "HEAD"))
    for repo_plan in plans:
        expected, actual = _tree(plain[repo_plan.key]), _tree(fast[repo_plan.key])
        assert sorted(actual) == sorted(expected), repo_plan.name
        different = [name for name in expected if actual[name] != expected[name]]
        assert not different, f"{repo_plan.name}: {different} differ from plain copier's render"


def test_without_a_ref_render_takes_the_newest_tag_as_copier_does(tmp_path: Path) -> None:
    repo = tmp_path / "template"
    shutil.copytree(ROOT / "templates", repo / "templates")
    shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
    identity = ["-c", "user.name=tests", "-c", "user.email=tests@orgscaffold.invalid", "-c", "commit.gpgsign=false"]
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "-A")
    _git(repo, *identity, "commit", "--quiet", "--no-verify", "-m", "v1")
    _git(repo, "tag", "1.0.0")
    readme = repo / "templates" / "aws-bootstrap" / "README.md.jinja"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nUntagged work in progress.\n", encoding="utf-8")
    _git(repo, *identity, "commit", "--quiet", "--no-verify", "-am", "after the tag")
    plans = plan(load_questionnaire(EXAMPLES / "seed.yaml"), only={"bootstrap"})
    fast = render(plans, tmp_path / "fast", source=TemplateSource(str(repo), None))["bootstrap"]
    plain = tmp_path / "plain"
    copier.run_copy(str(repo), plain, data=plans[0].answers, defaults=True, overwrite=True, unsafe=True, quiet=True)
    assert _tree(fast) == _tree(plain)
    assert "Untagged work in progress." not in (fast / "README.md").read_text(encoding="utf-8")
    assert yaml.safe_load((fast / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"] == "1.0.0"


def test_render_is_the_same_from_a_cold_and_a_warm_template_cache(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", str(tmp_path / "cache"))
    plans = plan(load_questionnaire(EXAMPLES / "seed.yaml"))
    source = TemplateSource(str(template_repo), "HEAD")
    cold = render(plans, tmp_path / "cold", source=source)
    assert any((tmp_path / "cache").rglob("*")), "the first render fills the template cache"
    warm = render(plans, tmp_path / "warm", source=source)
    for key, folder in cold.items():
        assert _tree(warm[key]) == _tree(folder)


def test_the_cache_can_be_turned_off_and_follows_its_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for off in ("off", "0", "false", "NO"):
        monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", off)
        assert cache_dir("hcl") is None
    monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert cache_dir("hcl") == tmp_path / "elsewhere" / "hcl"
    monkeypatch.delenv("ORGSCAFFOLD_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("hcl") == tmp_path / "xdg" / "orgscaffold" / "hcl"


def _typed(value: object) -> object:
    """The value with every type spelled out, so 1 and 1.0 or True and 1 never compare equal."""
    if isinstance(value, dict):
        return {repr(key): _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


def test_cached_hcl_parses_equal_python_hcl2_for_every_rendered_file(example: Example, tmp_path: Path) -> None:
    rendered = example.folders
    cache = tmp_path / "hcl-cache"
    cache.mkdir()
    texts = [
        path.read_text(encoding="utf-8")
        for folder in rendered.values()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name.endswith(HCL_SUFFIXES)
    ]
    assert len(texts) > 20
    for text in texts:
        uncached = parse_hcl(text)
        stored = parse_hcl(text, cache)  # parses and stores
        read_back = parse_hcl(text, cache)  # read from the cache
        assert _typed(stored) == _typed(uncached) == _typed(read_back)
    assert len(list(cache.iterdir())) == len(set(texts))


def test_a_damaged_cache_entry_is_parsed_again(tmp_path: Path) -> None:
    text = 'locals {\n  a = "b"\n}\n'
    parse_hcl(text, tmp_path)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(b"\x00not marshal")
    assert parse_hcl(text, tmp_path) == parse_hcl(text)


def test_every_document_reads_the_same_from_no_cache_a_cold_one_and_a_warm_one(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = example.repositories
    for name, folder in rendered.items():
        monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", "off")
        plain = read_repository(name, folder).documents
        monkeypatch.setenv("ORGSCAFFOLD_CACHE_DIR", str(tmp_path / "cache"))
        cold = read_repository(name, folder).documents
        warm = read_repository(name, folder).documents
        assert _typed(warm) == _typed(cold) == _typed(plain), name
        assert any(path.endswith((".yml", ".yaml")) for path in plain), name
    stored = {path.parent.name.split("-")[0] for path in (tmp_path / "cache").rglob("*.marshal")}
    assert stored == {"hcl", "yaml"}


def test_a_yaml_value_marshal_cannot_hold_is_parsed_every_time(tmp_path: Path) -> None:
    caches = ParseCaches(hcl=None, yaml=tmp_path)
    text = "released: 2026-12-02\n"
    first = _parse(Path("x.yml"), text, caches)
    assert first == _parse(Path("x.yml"), text, caches) == {"released": datetime.date(2026, 12, 2)}
    assert not list(tmp_path.iterdir())


def test_render_each_follows_each_render_in_its_worker_after_one_shared_preparation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORGSCAFFOLD_JOBS", "2")
    plans = plan(load_questionnaire(EXAMPLES / "seed.yaml"))
    prepared: list[int] = []

    def then(repo: RepoPlan, folder: Path) -> tuple[str, int, list[int], bool]:
        return repo.key, os.getpid(), list(prepared), (folder / ".copier-answers.yml").is_file()

    results = render_each(plans, tmp_path, then, source=template_source(), prepare=lambda: prepared.append(os.getpid()))

    parent = os.getpid()
    assert [key for key, *_ in results] == [p.key for p in plans]  # in plan order
    assert all(rendered for *_, rendered in results)  # after its repository was rendered
    # Prepared once, in this process, before the workers forked: every worker inherited it.
    assert prepared == [parent]
    assert all(seen == [parent] for _, _, seen, _ in results)
    if "fork" in multiprocessing.get_all_start_methods():
        assert {pid for _, pid, _, _ in results} - {parent}


@pytest.mark.parametrize("internals", ["", "template", "off"], ids=["all", "without-template", "public-api"])
def test_copier_records_the_recorded_url_while_git_reads_the_source(
    internals: str, template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As from a wheel's bundle: the answers name the canonical URL, which git never reaches (an
    invalid host), while the files come from the local source, in every way render runs copier."""
    monkeypatch.setenv(copier_adapter.INTERNALS_ENV, internals)
    plans = plan(load_questionnaire(EXAMPLES / "seed.yaml"), only={"bootstrap"})
    recorded = "https://git.invalid/orgscaffold/orgscaffold.git"
    source = TemplateSource(str(template_repo), "HEAD", record_url=recorded)
    folder = render(plans, tmp_path / "out", source=source)["bootstrap"]
    answers = yaml.safe_load((folder / ".copier-answers.yml").read_text(encoding="utf-8"))
    head = _git(template_repo, "rev-parse", "--short", "HEAD").strip()
    assert answers["_src_path"] == recorded
    assert head in answers["_commit"]  # git describe of the source's HEAD (no tag: the short hash)
