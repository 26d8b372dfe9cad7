"""Tier 1: the contracts between repositories hold.

Every ``terraform_remote_state`` output a repository reads is declared by the repository that
writes that state; all repositories keep state in one bucket and region under distinct keys; and
a producer comes before its consumer in the deployment order, so its outputs exist when the
consumer is applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orgscaffold.verify.findings import Finding, Report
from orgscaffold.verify.references import INDEX, label, references_in, scopes

BACKEND_FILE = "backend.hcl"
REMOTE_STATE = "terraform_remote_state"


@dataclass(frozen=True)
class StateLocation:
    """Where one state object lives."""

    bucket: str | None
    region: str | None
    key: str | None


@dataclass(frozen=True)
class RemoteRead:
    """One ``terraform_remote_state`` data source and the outputs read through it."""

    name: str
    file: str
    location: StateLocation
    outputs: dict[str, str] = field(default_factory=dict)  # output -> file that reads it


@dataclass(frozen=True)
class RepositoryContract:
    """What one repository offers and needs: its state location, outputs, reads and place in the order."""

    name: str
    order: int
    backend: StateLocation | None
    outputs: frozenset[str]
    reads: tuple[RemoteRead, ...]
    texts: Mapping[str, str] = field(default_factory=dict)
    # False when a .tf file did not parse: the outputs are then not all known.
    complete: bool = True


def _literal(value: Any) -> str | None:
    """A plain string attribute (``'"x"'`` in python-hcl2's form); None for expressions or absence."""
    if not isinstance(value, str) or "${" in value:
        return None
    return label(value)


def _location(config: Any) -> StateLocation:
    config = config if isinstance(config, dict) else {}
    return StateLocation(_literal(config.get("bucket")), _literal(config.get("region")), _literal(config.get("key")))


def _reads(parsed: dict[str, Any]) -> tuple[RemoteRead, ...]:
    root = scopes(parsed).get("")
    if root is None:
        return ()
    found: dict[str, RemoteRead] = {}
    for relative, document in root.files.items():
        for block in document.get("data", []):
            for kind, bodies in block.items():
                if label(kind) != REMOTE_STATE or not isinstance(bodies, dict):
                    continue
                for name, body in bodies.items():
                    if not name.startswith("__") and isinstance(body, dict):
                        found[label(name)] = RemoteRead(label(name), relative, _location(body.get("config")))
    for relative, document in root.files.items():
        for t in references_in(document):
            if t[:2] == ("data", REMOTE_STATE) and len(t) > 4 and t[3] == "outputs" and t[4] != INDEX:
                read = found.get(t[2])
                if read is not None:
                    read.outputs.setdefault(t[4], relative)
    return tuple(found.values())


def _backend(parsed: dict[str, Any]) -> StateLocation | None:
    """The S3 backend: its block's settings completed by backend.hcl; None without either."""
    settings: dict[str, Any] = {}
    declared = False
    root = scopes(parsed).get("")
    for relative, document in (root.files if root else {}).items():
        if relative.endswith("_override.tf"):
            continue  # bootstrap's phase-1 override; the S3 backend is what the repository ends with
        for block in document.get("terraform", []):
            for backend in block.get("backend", []):
                for kind, body in backend.items():
                    if label(kind) == "s3":
                        declared = True
                        settings.update(body if isinstance(body, dict) else {})
    hcl = parsed.get(BACKEND_FILE)
    if isinstance(hcl, dict):
        settings.update(hcl)
    elif not declared:
        return None
    return _location(settings)


def repository_contract(
    name: str, order: int, parsed: dict[str, Any], texts: Mapping[str, str], *, complete: bool = True
) -> RepositoryContract:
    """Collect one repository's contract from its parsed files (``parse_repository``) and raw texts
    (``complete`` False: some ``.tf`` file did not parse)."""
    root = scopes(parsed).get("")
    return RepositoryContract(
        name=name,
        order=order,
        backend=_backend(parsed),
        outputs=frozenset(root.outputs if root else ()),
        reads=_reads(parsed),
        texts=texts,
        complete=complete,
    )


def _line(texts: Mapping[str, str], relative: str, needle: str, *, attribute: bool = False) -> int | None:
    """Line of the first ``needle`` in a file (with ``attribute``: of the line assigning it)."""
    text = texts.get(relative, "")
    pattern = rf"^[ \t]*{re.escape(needle)}[ \t]*=" if attribute else re.escape(needle)
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _shared_backend(contracts: list[RepositoryContract], report: Report) -> None:
    """One bucket and region for all; a distinct key each (repositories without an S3 backend are left out)."""
    with_backend = [c for c in contracts if c.backend is not None]
    for c in with_backend:
        assert c.backend is not None
        if None in (c.backend.bucket, c.backend.region, c.backend.key):
            message = f"the S3 backend ({BACKEND_FILE}) must set bucket, region and key as plain strings"
            report.findings.append(Finding("contracts", c.name, message, BACKEND_FILE))
    if not with_backend:
        return
    first = with_backend[0]
    assert first.backend is not None
    for c in with_backend[1:]:
        assert c.backend is not None
        for attribute in ("bucket", "region"):
            mine, theirs = getattr(c.backend, attribute), getattr(first.backend, attribute)
            if mine != theirs:
                message = f"state {attribute} {mine!r} differs from {first.name}'s {theirs!r}: all must share one"
                report.findings.append(
                    Finding(
                        "contracts",
                        c.name,
                        message,
                        BACKEND_FILE,
                        _line(c.texts, BACKEND_FILE, attribute, attribute=True),
                    )
                )
    seen: dict[str, str] = {}
    for c in with_backend:
        assert c.backend is not None
        if c.backend.key is None:
            continue
        if c.backend.key in seen:
            message = f"state key {c.backend.key!r} is also used by {seen[c.backend.key]}: each needs its own"
            report.findings.append(
                Finding("contracts", c.name, message, BACKEND_FILE, _line(c.texts, BACKEND_FILE, "key", attribute=True))
            )
        seen.setdefault(c.backend.key, c.name)


def _check_read(
    consumer: RepositoryContract,
    read: RemoteRead,
    producers: dict[str, RepositoryContract],
    expected: StateLocation | None,
    known_keys: Mapping[str, str],
    report: Report,
) -> None:
    where = f'data "{REMOTE_STATE}" "{read.name}"'
    line = _line(consumer.texts, read.file, f'"{read.name}"')

    def problem(message: str, file: str = read.file, at: int | None = line) -> None:
        report.findings.append(Finding("contracts", consumer.name, f"{where}: {message}", file, at))

    if expected is not None:
        for attribute in ("bucket", "region"):
            mine, theirs = getattr(read.location, attribute), getattr(expected, attribute)
            if mine != theirs:
                problem(f"reads {attribute} {mine!r}, but state lives in {theirs!r}")
    key = read.location.key or ""
    producer = producers.get(key)
    if producer is None:
        if key in known_keys:
            report.skipped.append(f"contracts: {consumer.name} reads {known_keys[key]}, which was not verified with it")
        else:
            problem(f"key {read.location.key!r} is the state of no repository of this organisation")
        return
    if producer.order >= consumer.order:
        problem(f"reads {producer.name}, which is deployed after it (order {producer.order} >= {consumer.order})")
    if not producer.complete:
        note = f"contracts: the outputs {consumer.name} reads from {producer.name}: not checked until its files parse"
        if note not in report.skipped:
            report.skipped.append(note)
        return
    for output, file in sorted(read.outputs.items()):
        if output not in producer.outputs:
            at = _line(consumer.texts, file, f"outputs.{output}")
            problem(f"reads output {output!r}, which {producer.name} does not declare", file, at)


def check_contracts(contracts: list[RepositoryContract], *, known_keys: Mapping[str, str] | None = None) -> Report:
    """Check the contracts between repositories (see the module docstring).

    ``known_keys`` maps the state key of every repository of the organisation to its name, so that a
    read from a repository that exists but was not verified together with this one (``new --only``)
    is noted as skipped rather than reported as an error.
    """
    report = Report()
    report.count("contracts", len(contracts))
    _shared_backend(contracts, report)
    producers: dict[str, RepositoryContract] = {}
    for c in contracts:  # with a key used twice, the first holder is the producer (reported above)
        if c.backend is not None and c.backend.key:
            producers.setdefault(c.backend.key, c)
    expected = next((c.backend for c in contracts if c.backend is not None), None)
    for consumer in contracts:
        for read in consumer.reads:
            _check_read(consumer, read, producers, expected, known_keys or {}, report)
    return report
