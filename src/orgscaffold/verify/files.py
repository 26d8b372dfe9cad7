"""Tier 1: every generated file parses (HCL, JSON, YAML), reported per file with a line number.

This package is the only place that imports the HCL parser.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import marshal
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from orgscaffold.cache import cache_dir, write_atomically
from orgscaffold.verify.findings import Finding, Report

HCL_SUFFIXES = (".tf", ".tofu", ".tfvars", ".hcl")
SKIP_DIRS = {".git", ".terraform"}
# libyaml's loader reads the same documents as the pure-Python one some 20 times faster; the answers
# files of a large client are megabytes of YAML. PyYAML ships wheels with libyaml for Linux, macOS
# and Windows; the pure-Python loader remains the fallback.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
def _parser_kinds() -> tuple[str, str]:
    """The cache kinds of the HCL and YAML parsers: fixed for a process (a metadata lookup each)."""
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    hcl_version = importlib.metadata.version("python-hcl2")
    return f"hcl-{hcl_version}-{python}", f"yaml-{yaml.__version__}-{YAML_LOADER.__name__}-{python}"


def parse_caches() -> ParseCaches:
    """The cache folders for this process's parsers (see :mod:`orgscaffold.cache`)."""
    hcl, yaml_kind = _parser_kinds()
    return ParseCaches(hcl=cache_dir(hcl), yaml=cache_dir(yaml_kind))


def _cached(text: str, cache: Path | None, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, or what it returned for the same text before, kept in ``cache`` (a folder).

    Parsers take milliseconds to seconds per file, and most files of a repository are byte for byte
    the same from one run, and one client, to the next (templates) or from ``new`` to the
    ``validate`` runs that follow (client data). Entries are keyed by the text's SHA-256 and
    stored with :mod:`marshal`, which holds only plain data (never code), in a folder named after
    the parser's and Python's versions. A parse error is never cached: it is raised again.
    """
    entry = cache / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.marshal" if cache else None
    if entry is not None:
        try:
            return marshal.loads(entry.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    parsed = parse(text)
    if entry is not None:
        try:
            data = marshal.dumps(parsed)
        except ValueError:  # a value marshal cannot hold (a YAML date, say): keep it uncached
            return parsed
        write_atomically(entry, data)
    return parsed


def _hcl(text: str) -> dict[str, Any]:
    # Imported on a cache miss only: python-hcl2 and lark take a tenth of a second to import, and a
    # warm cache (the usual case, see _cached) needs neither.
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
    third of a second of CPU per process.
    """
    import hcl2.parser

    hcl2.parser.parser()


def parse_hcl(text: str, cache: Path | None = None) -> dict[str, Any]:
    """Parse HCL text into python-hcl2's dictionary form; raises ValueError with a line number.

    With ``cache`` (a folder, :func:`parse_caches`), a text parsed before is read back from there.
    """
    parsed = _cached(text, cache, _hcl)
    return parsed if isinstance(parsed, dict) else _hcl(text)


class _LineError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


# A YAML document that is a JSON text (after comment lines) reads the same with json, in C, as with
# PyYAML's constructor, in Python, except where YAML 1.1 and JSON disagree. Those cases go to the
# YAML loader, so the result is always what copier and every PyYAML reader get:
# - raw characters YAML rejects (DEL, C1 controls, U+FFFE, U+FFFF) or folds as line breaks inside a
#   quoted scalar (U+0085, U+2028, U+2029), and tabs (not whitespace YAML skips between tokens);
# - escaped UTF-16 surrogates, which JSON joins into one character and YAML does not;
# - numbers with a fraction or exponent (YAML 1.1 reads 1e5 as text) and keys long enough to meet
#   YAML's limit of 1,024 characters for a key written on one line (checked in _reads_alike).
# The answers files (templates/_shared/answers.yml.jinja) are such documents;
# tests/verify/test_json_documents.py compares both readers on every code point and random JSON.
_COMMENT_LINES = re.compile(r"(?:[ ]*#[^\n]*\n)*")
_YAML_DIFFERS = re.compile(r"[\t\x7f-\x9f\u2028\u2029\ufffe\uffff]|\\u[dD][89abAB]")
_LONGEST_SAFE_KEY = 1024 // 6 - 2  # every character of a key takes at most 6 in JSON (\uXXXX)


def _reads_alike(value: Any) -> bool:
    """Whether YAML reads this parsed JSON value as json did (no floats, no over-long keys)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(len(key) > _LONGEST_SAFE_KEY for key in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            return False
    return True


def _load_yaml(text: str) -> Any:
    body = text[_COMMENT_LINES.match(text).end() :]  # type: ignore[union-attr] # matches at least ""
    if body.lstrip(" \r\n").startswith(("{", "[")) and not _YAML_DIFFERS.search(text):
        try:
            loaded = json.loads(body)
        except ValueError:
            pass
        else:
            if _reads_alike(loaded):
                return loaded
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a SafeLoader (C or Python), never the full one


def load_yaml(text: str, cache: Path | None = None) -> Any:
    """Parse one YAML document with the fastest safe loader available; raises yaml.YAMLError.

    With ``cache`` (a folder, :func:`parse_caches`), a text parsed before is read back from there.
    """
    return _cached(text, cache, _load_yaml)


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
