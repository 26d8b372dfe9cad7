"""Tier 1: every generated file parses (HCL, JSON, YAML), reported per file with a line number.

This package is the only place that imports the HCL parser.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orgscaffold.cache import cache_dir
from orgscaffold.reading import cached, load_yaml, python_tag, yaml_cache
from orgscaffold.verify.findings import Finding, Report

HCL_SUFFIXES = (".tf", ".tofu", ".tfvars", ".hcl")
SKIP_DIRS = {".git", ".terraform"}


def repository_files(root: Path) -> Iterator[Path]:
    """Every file of a repository, sorted, without git internals and provider caches."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


@dataclass(frozen=True)
class ParseCaches:
    """The cache folders of parsed documents, one per parser version (None: that cache is off)."""

    hcl: Path | None
    yaml: Path | None


@functools.cache
def _hcl_kind() -> str:
    """The cache kind of the HCL parser: fixed for a process (a metadata lookup)."""
    return f"hcl-{importlib.metadata.version('python-hcl2')}-{python_tag()}"


def parse_caches() -> ParseCaches:
    """The cache folders for this process's parsers (see :mod:`orgscaffold.cache`)."""
    return ParseCaches(hcl=cache_dir(_hcl_kind()), yaml=yaml_cache())


def _hcl(text: str) -> dict[str, Any]:
    # Imported on a cache miss only: python-hcl2 and lark take a tenth of a second to import, and a
    # warm cache (the usual case, see reading.cached) needs neither.
    import hcl2
    import lark

    try:
        return dict(hcl2.loads(text))
    except lark.exceptions.UnexpectedInput as exc:
        raise _LineError(str(exc).strip().splitlines()[0], exc.line) from None
    except lark.exceptions.LarkError as exc:
        raise _LineError(str(exc).strip().splitlines()[0], None) from None


def load_hcl_parser() -> None:
    """Import python-hcl2 and build its parser now, where :func:`parse_hcl` would on its first miss.

    For a caller about to fork workers that will parse HCL no cache holds (``new`` always renders
    some client-specific HCL), so the workers inherit the parser instead of each building it: a
    third of a second of CPU per process. python-hcl2 builds its parser on the first parse and
    keeps it, so parsing an empty text (public API only) is what builds it.
    """
    import hcl2

    hcl2.loads("")


def parse_hcl(text: str, cache: Path | None = None) -> dict[str, Any]:
    """Parse HCL text into python-hcl2's dictionary form; raises ValueError with a line number.

    With ``cache`` (a folder, :func:`parse_caches`), a text parsed before is read back from there.
    """
    parsed = cached(text, cache, _hcl)
    return parsed if isinstance(parsed, dict) else _hcl(text)


class _LineError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _parse(path: Path, text: str, caches: ParseCaches) -> Any:
    name = path.name
    if name.endswith(".tftest.hcl") or name.endswith(HCL_SUFFIXES):
        return parse_hcl(text, caches.hcl)
    if name.endswith(".json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise _LineError(exc.msg, exc.lineno) from None
    if name.endswith((".yml", ".yaml")):
        try:
            return load_yaml(text, caches.yaml)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise _LineError(str(exc.problem or exc), mark.line + 1 if mark else None) from None
    return None


@dataclass
class ParsedRepository:
    """One repository read once: parse findings, documents and raw HCL text by relative path."""

    report: Report
    documents: dict[str, Any]
    hcl_texts: dict[str, str]


def read_repository(name: str, root: Path) -> ParsedRepository:
    """Read and parse every HCL, JSON and YAML file of one repository, each file once.

    The raw text of each HCL file that parsed is kept for later checks that report line numbers.
    """
    report = Report()
    parsed: dict[str, Any] = {}
    texts: dict[str, str] = {}
    caches = parse_caches()
    for path in repository_files(root):
        relative = path.relative_to(root).as_posix()
        if not relative.endswith((*HCL_SUFFIXES, ".json", ".yml", ".yaml")):
            continue
        report.count("parse")
        try:
            text = path.read_text(encoding="utf-8")
            parsed[relative] = _parse(path, text, caches)
        except UnicodeDecodeError:
            report.findings.append(Finding("parse", name, "is not UTF-8 text", relative))
        except _LineError as exc:
            report.findings.append(Finding("parse", name, f"does not parse: {exc}", relative, exc.line))
        else:
            if relative.endswith(HCL_SUFFIXES):
                texts[relative] = text
    return ParsedRepository(report, parsed, texts)


def parse_repository(name: str, root: Path) -> tuple[Report, dict[str, Any]]:
    """Parse every HCL, JSON and YAML file of one repository.

    Returns the report and the parsed documents by relative path, for later checks.
    """
    repository = read_repository(name, root)
    return repository.report, repository.documents
