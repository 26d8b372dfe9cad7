"""Reading YAML documents and answers files, shared by the render and verify stages.

YAML is read with libyaml's safe loader (the pure-Python one is the fallback), a document whose body
is a JSON text with ``json`` where YAML would read it alike, and every parse through a cache keyed
by the text's content (:func:`cached`), so a file read before is not parsed again.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from orgscaffold.cache import cache_dir, write_atomically

ANSWERS_FILE = ".copier-answers.yml"
# libyaml's loader reads the same documents as the pure-Python one some 20 times faster; the answers
# files of a large client are megabytes of YAML. PyYAML ships wheels with libyaml for Linux, macOS
# and Windows; the pure-Python loader remains the fallback.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def python_tag() -> str:
    """This interpreter's version as a cache-kind suffix (``py311``)."""
    return f"py{sys.version_info[0]}{sys.version_info[1]}"


def yaml_cache() -> Path | None:
    """The cache folder of parsed YAML for this PyYAML, loader and Python (None: the cache is off)."""
    return cache_dir(f"yaml-{yaml.__version__}-{YAML_LOADER.__name__}-{python_tag()}")


def cached(text: str, cache: Path | None, parse: Callable[[str], Any]) -> Any:
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
    return yaml.load(text, Loader=YAML_LOADER)  # a SafeLoader (C or Python), never the full one


def load_yaml(text: str, cache: Path | None = None) -> Any:
    """Parse one YAML document with the fastest safe loader available; raises yaml.YAMLError.

    With ``cache`` (a folder, :func:`yaml_cache`), a text parsed before is read back from there.
    """
    return cached(text, cache, _load_yaml)


def read_answers(repository: Path) -> dict[str, Any] | None:
    """The answers file of a generated repository; None when it is missing or not a YAML mapping.

    Read as tier 1 reads every YAML file (libyaml, json for a JSON body, the parse cache): PyYAML's
    pure-Python loader took 2 s for a large client's answers file.
    """
    try:
        loaded = load_yaml((repository / ANSWERS_FILE).read_text(encoding="utf-8"), yaml_cache())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return loaded if isinstance(loaded, dict) else None
