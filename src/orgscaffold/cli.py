"""Command-line interface: parses options, calls the stage functions, prints, maps errors to exit codes.

Exit status: 0 success, 1 verification failure, 2 bad input (questionnaire or arguments).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, Optional

import typer

from orgscaffold import __version__
from orgscaffold.errors import OrgscaffoldError, QuestionnaireError, UserError, VerificationError
from orgscaffold.verify import Report

if TYPE_CHECKING:
    from orgscaffold.questionnaire import Questionnaire
    from orgscaffold.upgrade import UpgradeResult

app = typer.Typer(
    name="orgscaffold",
    help="Turn one client questionnaire into the verified OpenTofu repositories of a small, secure AWS Organization.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_VERIFY = 1
EXIT_INPUT = 2


class Format(StrEnum):
    """Output formats of reports."""

    text = "text"
    json = "json"


def _err(message: str) -> None:
    typer.secho(message, fg=typer.colors.RED, err=True)


# The last step a command reported, for the line Ctrl-C ends with (see interruption()).
_step: list[str] = []
# What each command that writes leaves behind when interrupted (the others write nothing).
_AFTER_INTERRUPTION = {
    "new": "nothing was written (the staging folder is removed)",
    "upgrade": "every repository is back at its last commit; nothing was changed",
    "update": "every repository is back at its last commit; nothing was changed",
}


def _progress(message: str) -> None:
    _step[:] = [message]
    typer.secho(f"… {message}", fg=typer.colors.BRIGHT_BLACK, err=True)


def interruption(argv: list[str] | None = None, detail: str = "") -> str:
    """The line that says what Ctrl-C interrupted (the command, ``detail`` or its last step) and
    what was left."""
    args = sys.argv[1:] if argv is None else argv
    command = next((arg for arg in args if not arg.startswith("-")), None)
    doing = f"orgscaffold {command}" if command else "orgscaffold"
    if detail or _step:
        doing += f" ({detail or _step[0]})"
    return f"interrupted: {doing}; {_AFTER_INTERRUPTION.get(command or '', 'nothing was written')}"


def _fail(exc: OrgscaffoldError) -> NoReturn:
    if isinstance(exc, QuestionnaireError):
        _err(f"{exc.source}: {len(exc.problems)} problem(s):")
        for problem in exc.problems:
            _err(f"  {problem}")
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, UserError):
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, VerificationError):
        _print_report(exc.report, Format.text, err=True)
        raise typer.Exit(EXIT_VERIFY)
    _err(f"error: {exc}")
    raise typer.Exit(EXIT_VERIFY)


def _print_report(report: Report, fmt: Format, *, err: bool = False) -> None:
    if fmt is Format.json:
        payload = {
            "ok": report.ok,
            "findings": [f.as_dict() for f in report.findings],
            "checks_run": report.checks_run,
            "skipped": report.skipped,
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    by_repo: dict[str, list[str]] = {}
    for finding in report.findings:
        where = finding.location()
        prefix = f"{where}: " if where else ""
        by_repo.setdefault(finding.repository or "(all)", []).append(
            f"  {finding.severity}: {prefix}{finding.message} [{finding.check}]"
        )
    for repo, lines in by_repo.items():
        typer.secho(repo, bold=True, err=err)
        for line in lines:
            typer.secho(line, fg=typer.colors.RED if "error:" in line[:9] else typer.colors.YELLOW, err=err)
    counts = ", ".join(f"{n} {check}" for check, n in sorted(report.checks_run.items()))
    warnings = len(report.findings) - len(report.errors)
    status = "OK" if report.ok else "FAILED"
    typer.secho(
        f"{status}: {len(report.errors)} error(s), {warnings} warning(s); checks run: {counts}",
        fg=typer.colors.GREEN if report.ok else typer.colors.RED,
        err=err,
    )
    for skipped in report.skipped:
        typer.secho(f"skipped: {skipped}", fg=typer.colors.YELLOW, err=err)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"orgscaffold {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],  # noqa: UP045 - typer needs Optional here on Python 3.11
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = None,
) -> None:
    """Turn one client questionnaire into the verified OpenTofu repositories of a small, secure AWS Organization."""


CliOption = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--cli/--no-cli", help="Run the tofu/terraform tier (default: when a binary and provider mirror exist)."
    ),
]


@app.command()
def new(
    questionnaire: Annotated[Path, typer.Argument(help="The client questionnaire (YAML).", dir_okay=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write the repositories into.")],
    only: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Comma-separated subset to render: bootstrap,identity,dns,website."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace repositories in a non-empty output folder (old ones are backed up)."),
    ] = False,
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Template source: a git repository path or URL (default: this installation's templates)."),
    ] = None,
    vcs_ref: Annotated[Optional[str], typer.Option(help="Template git ref (tag, branch, commit).")] = None,  # noqa: UP045
    cli: CliOption = None,
) -> None:
    """Render, verify and commit the repositories of a questionnaire (nothing is written unless all succeed)."""
    from orgscaffold.pipeline import new as run_new

    try:
        result = run_new(
            questionnaire,
            output,
            only=only.split(",") if only else None,
            force=force,
            template=template,
            vcs_ref=vcs_ref,
            cli=cli,
            progress=_progress,
        )
    except OrgscaffoldError as exc:
        _fail(exc)
    _print_report(result.report, Format.text, err=True)
    for name, path in result.published.repositories.items():
        typer.echo(f"{name}: {path}")
    for backup in result.published.backups:
        typer.secho(f"previous {backup.name} kept in {backup}", fg=typer.colors.YELLOW, err=True)


@app.command()
def check(
    questionnaire: Annotated[Path, typer.Argument(help="The client questionnaire (YAML).", dir_okay=False)],
) -> None:
    """Validate a questionnaire only; report every problem with its field path.

    Warnings (things a valid questionnaire should still have checked by a person, such as adopted
    accounts whose names must match AWS) are printed and do not change the exit status.
    """
    from orgscaffold.errors import Problem
    from orgscaffold.plan import plan
    from orgscaffold.questionnaire import load_questionnaire

    warnings: list[Problem] = []
    try:
        q = load_questionnaire(questionnaire, warnings=warnings)
    except OrgscaffoldError as exc:
        _fail(exc)
    for warning in warnings:
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    names = ", ".join(p.name for p in plan(q))
    counted = f" ({len(warnings)} warning(s))" if warnings else ""
    typer.echo(f"{questionnaire}: valid{counted}; repositories: {names}")


@app.command()
def discover(
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Where to write the questionnaire (default: print it).", dir_okay=False),
    ] = None,
    profile: Annotated[Optional[str], typer.Option(help="AWS profile (default: the environment's).")] = None,  # noqa: UP045
    region: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Region of Identity Center, AWS Config and the trail (default: the profile's)."),
    ] = None,
    member_role: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            help="Also read the hosted zones and AWS Config of each member account through this role "
            "(e.g. OrganizationAccountAccessRole)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented questionnaire from an existing AWS account, adopting what exists (read-only calls).

    Run it with the credentials of the organisation's management account (or of the one account a
    client has). docs/discover.md lists the IAM permissions it needs.
    """
    if output is not None and output.exists() and not force:
        _err(f"error: {output} exists; pass --force to overwrite it")
        raise typer.Exit(EXIT_INPUT)
    try:
        from orgscaffold.discover import discover as run_discover
    except ImportError as exc:
        _err(f"error: discover needs boto3: pip install 'orgscaffold[discover]' ({exc})")
        raise typer.Exit(EXIT_INPUT) from None
    try:
        text = run_discover(profile=profile, region=region, member_role=member_role, progress=_progress)
    except OrgscaffoldError as exc:
        _fail(exc)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}; review its REVIEW comments, then: orgscaffold check {output}")


@app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="A generated repository, or a folder of them.", file_okay=False)],
    cli: CliOption = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,  # noqa: A002
) -> None:
    """Verify existing repositories (also after hand edits): parse-back, data drift, and the CLI tier."""
    from orgscaffold.verify import find_repositories, verify

    if not directory.is_dir():
        _err(f"error: {directory} is not a folder")
        raise typer.Exit(EXIT_INPUT)
    repositories = find_repositories(directory)
    if not repositories:
        _err(f"error: no generated repository (a folder with .copier-answers.yml) in {directory}")
        raise typer.Exit(EXIT_INPUT)
    report = verify(repositories, cli=cli, progress=_progress if format is Format.text else None)
    _print_report(report, format)
    if not report.ok:
        raise typer.Exit(EXIT_VERIFY)


class ReportFormat(StrEnum):
    """Output formats of the handover report."""

    md = "md"
    json = "json"


RepositoriesOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--repositories",
        help="The folder of the rendered repositories: names the state bucket they use (its suffix is random).",
        file_okay=False,
    ),
]


def _with_state_bucket(questionnaire: Path, repositories: Path | None) -> Questionnaire:
    """The questionnaire with the state bucket the rendered repositories record, or a marked placeholder."""
    from orgscaffold.plan.names import BUCKET_SUFFIX_PLACEHOLDER, Names
    from orgscaffold.plan.state_bucket import recorded_state_bucket, resolve_state_bucket
    from orgscaffold.questionnaire import load_questionnaire
    from orgscaffold.reading import read_answers
    from orgscaffold.verify import find_repositories

    q = load_questionnaire(questionnaire)
    if repositories is not None:
        found = find_repositories(repositories) if repositories.is_dir() else {}
        recorded = next((b for path in found.values() if (b := recorded_state_bucket(read_answers(path)))), None)
        if recorded is None:
            raise UserError(f"--repositories: no generated repository with a state bucket in {repositories}")
        return resolve_state_bucket(q, recorded=recorded)
    bucket = Names(q).state_bucket
    if bucket.endswith(BUCKET_SUFFIX_PLACEHOLDER):
        _err(
            f"note: the state bucket is shown as {bucket}: `orgscaffold new` chooses its random suffix; "
            "pass --repositories DIR to show the name the rendered repositories use"
        )
    return q


@app.command()
def runbook(
    questionnaire: Annotated[Path, typer.Argument(help="The client questionnaire (YAML).", dir_okay=False)],
    repositories: RepositoriesOption = None,
) -> None:
    """Print the deployment runbook of this client: every step from an empty AWS account, with checks."""
    from orgscaffold.documents import render_document

    try:
        text = render_document(_with_state_bucket(questionnaire, repositories), "runbook")
    except OrgscaffoldError as exc:
        _fail(exc)
    typer.echo(text, nl=False)


@app.command()
def rehearse(
    directory: Annotated[
        Path, typer.Argument(help="The folder `orgscaffold new` wrote: the client's repositories.", file_okay=False)
    ],
) -> None:
    """Apply the whole deployment as its runbook says, against an AWS emulator on 127.0.0.1 (no AWS, no network)."""
    from orgscaffold.rehearse import format_report
    from orgscaffold.rehearse import rehearse as run_rehearsal

    try:
        result = run_rehearsal(directory, progress=_progress)
    except OrgscaffoldError as exc:
        _fail(exc)
    typer.echo(format_report(result), nl=False)
    if not result.ok:
        raise typer.Exit(EXIT_VERIFY)


@app.command()
def report(
    questionnaire: Annotated[Path, typer.Argument(help="The client questionnaire (YAML).", dir_okay=False)],
    format: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = ReportFormat.md,  # noqa: A002
    repositories: RepositoriesOption = None,
) -> None:
    """Print the handover report: account inventory, access matrix, CI access, DNS inventory, guardrails."""
    from orgscaffold.documents import render_document
    from orgscaffold.plan.handover import report_data

    try:
        q = _with_state_bucket(questionnaire, repositories)
        if format is ReportFormat.json:
            text = json.dumps(report_data(q), indent=2, ensure_ascii=False) + "\n"
        else:
            text = render_document(q, "report")
    except OrgscaffoldError as exc:
        _fail(exc)
    typer.echo(text, nl=False)


class SchemaFormat(StrEnum):
    """Output formats of the questionnaire schema."""

    json = "json"
    markdown = "markdown"


@app.command()
def schema(
    format: Annotated[  # noqa: A002 - the option is --format, like validate's and report's
        SchemaFormat, typer.Option("--format", help="JSON Schema, or the Markdown reference.")
    ] = SchemaFormat.json,
) -> None:
    """Print the JSON Schema of the questionnaire (editor completion), or its reference as Markdown."""
    if format is SchemaFormat.markdown:
        from orgscaffold.questionnaire.reference import questionnaire_reference

        typer.echo(questionnaire_reference(), nl=False)
        return
    from orgscaffold.questionnaire.starter import json_schema

    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@app.command()
def init(
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(help="Where to write the starter questionnaire (default: print it).", dir_okay=False),
    ] = None,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Ask the essential questions.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter questionnaire, or build one by answering questions."""
    from orgscaffold.questionnaire.starter import SCHEMA_FILE, interactive_answers, json_schema, starter_questionnaire

    if file is not None and file.exists() and not force:
        _err(f"error: {file} exists; pass --force to overwrite it")
        raise typer.Exit(EXIT_INPUT)
    if interactive:
        if not sys.stdin.isatty() and file is None:
            _err("error: --interactive needs a terminal, or a FILE to write to")
            raise typer.Exit(EXIT_INPUT)

        def ask(prompt: str, default: str | None) -> str:
            return str(typer.prompt(prompt, default=default if default is not None else "", show_default=bool(default)))

        try:
            text = interactive_answers(ask)
        except (typer.Abort, EOFError):  # Ctrl-D, or the piped answers ran out
            _err("error: the input ended before every question was answered; nothing was written")
            raise typer.Exit(EXIT_INPUT) from None
    else:
        text = starter_questionnaire()
    if file is None:
        typer.echo(text, nl=False)
        _err(f"note: the first line points editors at {SCHEMA_FILE}; write it with: orgscaffold schema > {SCHEMA_FILE}")
        return
    file.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {file}; next: orgscaffold check {file}")
    # The starter's first line names the schema file beside it: write it, so editors find it.
    schema_file = file.parent / SCHEMA_FILE
    schema_text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if not schema_file.exists() or force:
        schema_file.write_text(schema_text, encoding="utf-8")
        typer.echo(f"wrote {schema_file} (the JSON Schema editors use to complete and check it)")
    elif schema_file.read_text(encoding="utf-8", errors="replace") != schema_text:
        _err(f"note: {schema_file} exists and differs from this version's schema; --force rewrites it")


class ConflictStyle(StrEnum):
    """How copier leaves a hunk it cannot merge."""

    inline = "inline"
    rej = "rej"


def _print_upgrade(result: UpgradeResult) -> None:
    for name, done in result.repositories.items():
        version = (
            done.commit_before
            if done.commit_before == done.commit_after
            else f"{done.commit_before} -> {done.commit_after}"
        )
        typer.secho(f"{name}: template {version}", bold=True)
        for line in done.changes or ["  (no changes)"]:
            typer.echo(f"  {line.strip()}" if line.strip() else line)
    for name, files in result.conflicts.items():
        for file, lines in files.items():
            where = f" (conflict markers at line {', '.join(map(str, lines))})" if lines else ""
            _err(f"conflict: {name}/{file}{where}")
    if result.conflicts:
        _err("resolve the conflicts, then commit; nothing was committed")
    elif any(done.changes for done in result.repositories.values()):
        typer.secho("review the changes with git diff, then commit them", fg=typer.colors.GREEN, err=True)
    else:
        typer.secho("already up to date: nothing changed", fg=typer.colors.GREEN, err=True)


@app.command()
def upgrade(
    directory: Annotated[Path, typer.Argument(help="A folder of generated repositories (or one).", file_okay=False)],
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Template source (default: this installation's templates, or the recorded source)."),
    ] = None,
    vcs_ref: Annotated[Optional[str], typer.Option(help="Template git ref to upgrade to.")] = None,  # noqa: UP045
    conflict: Annotated[
        ConflictStyle, typer.Option(help="Leave conflicts as inline markers or as .rej files.")
    ] = ConflictStyle.inline,
) -> None:
    """Update every repository to a newer template version, in deployment order, keeping client edits.

    Refuses to start while any repository has uncommitted changes; exits 1 when any conflict remains.
    """
    from orgscaffold.upgrade import upgrade as run_upgrade

    try:
        result = run_upgrade(directory, template=template, vcs_ref=vcs_ref, conflict=conflict.value, progress=_progress)
    except OrgscaffoldError as exc:
        _fail(exc)
    _print_upgrade(result)
    if result.conflicts:
        raise typer.Exit(EXIT_VERIFY)


@app.command()
def update(
    directory: Annotated[Path, typer.Argument(help="A folder of generated repositories (or one).", file_okay=False)],
    questionnaire: Annotated[
        Path, typer.Option("--questionnaire", "-q", help="The changed questionnaire.", dir_okay=False)
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Apply destructive changes (replaced resources, manual steps).")
    ] = False,
    template: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="Template source holding the recorded template commit (default: as for upgrade)."),
    ] = None,
    conflict: Annotated[
        ConflictStyle, typer.Option(help="Leave conflicts as inline markers or as .rej files.")
    ] = ConflictStyle.inline,
) -> None:
    """Re-render the repositories with a changed questionnaire's answers, keeping client edits.

    Prints the change-impact report first; destructive changes need --yes (exit 2 without it).
    """
    from orgscaffold.upgrade import assess
    from orgscaffold.upgrade import update as run_update

    try:
        assessment = assess(directory, questionnaire)
    except OrgscaffoldError as exc:
        _fail(exc)
    for change in assessment.changes:
        colour = typer.colors.GREEN if change not in assessment.destructive else typer.colors.YELLOW
        typer.secho(str(change), fg=colour)
    if not assessment.repositories:
        typer.echo("nothing to update: the repositories already carry these answers")
        return
    if assessment.destructive and not yes:
        _err(f"{len(assessment.destructive)} destructive change(s) above: review them, then run again with --yes")
        raise typer.Exit(EXIT_INPUT)
    try:
        result = run_update(assessment, yes=yes, template=template, conflict=conflict.value, progress=_progress)
    except OrgscaffoldError as exc:
        _fail(exc)
    _print_upgrade(result)
    if result.conflicts:
        raise typer.Exit(EXIT_VERIFY)
