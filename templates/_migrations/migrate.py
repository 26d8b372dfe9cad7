"""orgscaffold template migrations: files a release moves or removes keep the client's edits.

Copier runs this script after every ``copier update`` of a generated repository (``_migrations`` in
copier.yml, stage "after"), inside that repository, with the Python that runs copier, so a plain
``copier update --trust`` migrates exactly as ``orgscaffold upgrade`` does. It uses the standard
library, ``packaging`` and git only, never the network, and prints one line per file it changes.

It imports ``packaging`` (for PEP 440 versions), which copier itself depends on, so it is there
wherever copier runs; it cannot import orgscaffold, which need not be installed where a client
runs ``copier update``, so its few git calls go through its own :func:`git` helper, which never
commits (orgscaffold's own git calls are in ``orgscaffold/git.py``).

The data is ``moves.json`` next to this script: which release moved which rendered file (or folder,
with a trailing ``/``) of which templates. The format is documented in templates/README.md,
section "Migrations".

Why after the update, with a merge of its own: copier merges the client's edits path by path
(old template render -> client's tree, replayed onto the new render). A moved file has no common
path, so copier sees a deletion plus a creation and drops the edits. Moving the client's file
before the update does not help: copier's old render has nothing at the new path, so the merge
base would be empty and every difference, the template's too, would become a conflict. After the
update everything needed for a real 3-way merge is at hand:

- ours: the client's file, committed at HEAD (copier requires a clean tree and commits nothing);
- base: the old template version's render of the file, rendered here from copier's local clone
  of the template at ``$VERSION_FROM`` with the answers committed at HEAD (what copier itself
  diffed against);
- theirs: the new template's file, which copier has just written at the new path.

``git merge-file`` merges them into the new path; conflict markers carry copier's own labels
(``<<<<<<< before updating``), so ``orgscaffold upgrade`` reports them like any other conflict.

Rules, in the order they apply:

- A moved file the client edited: merged into its new path (above); the old path stays deleted.
- A moved file the client had deleted (or moved elsewhere): its new path is not created either, as
  copier keeps any deleted file deleted.
- A file the new version no longer renders (removed, or conditional on an answer that was turned
  off) that the client had edited: copier deletes it, as before, and this script keeps the
  client's committed version next to it as ``<path>.orgscaffold-removed``. Deleting it keeps the
  repository identical to a fresh render (OpenTofu would otherwise still load a removed ``.tf``),
  while the copy, an untracked file in ``git status``, cannot be lost by an unattentive commit: the
  reviewer moves what is still needed into the new files, then deletes the copy.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.version import InvalidVersion, Version

MOVES_FILE = Path(__file__).resolve().parent / "moves.json"
KEPT_SUFFIX = ".orgscaffold-removed"
# copier's labels for `git merge-file`, so conflicts look (and are reported) like copier's own.
LABELS = ["before updating", "last update", "after updating"]
ENTRY_KEYS = {"version", "templates", "from", "to"}


class MigrationError(Exception):
    """Bad migration data or a failing git/copier command: the update stops with this message."""


def say(message: str) -> None:
    print(f"orgscaffold migration: {message}", file=sys.stderr)


# --- versions ---------------------------------------------------------------------------------


def version_key(text: str) -> Version:
    """A PEP 440 version, ordered as copier orders template versions (``packaging``, a dependency of copier)."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise MigrationError(f"{text!r} is not a PEP 440 version") from None


# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One entry of moves.json: ``source`` became ``target`` in template release ``version``."""

    version: str
    templates: tuple[str, ...] | None
    source: str
    target: str

    @property
    def folder(self) -> bool:
        return self.source.endswith("/")

    def apply(self, path: str) -> str:
        """Where ``path`` is after this move."""
        if self.folder:
            return self.target + path[len(self.source) :] if path.startswith(self.source) else path
        return self.target if path == self.source else path


def _is_version(text: str) -> bool:
    try:
        version_key(text)
    except MigrationError:
        return False
    return True


def _relative(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip("/"):
        raise MigrationError(f"{where}: a relative path is required")
    pure = PurePosixPath(value)
    if pure.is_absolute() or ".." in pure.parts or "\\" in value or value.startswith("./"):
        raise MigrationError(f"{where}: {value!r} must be a plain path relative to the repository root")
    return value


def load_moves(path: Path) -> list[Move]:
    """The moves of ``path``, checked; any problem is a MigrationError naming the entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MigrationError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("moves"), list):
        raise MigrationError(f"{path}: expected an object with a 'moves' list")
    moves = []
    for index, entry in enumerate(data["moves"]):
        where = f"{path.name}: moves[{index}]"
        if not isinstance(entry, dict) or set(entry) - ENTRY_KEYS or not {"version", "from", "to"} <= set(entry):
            raise MigrationError(f"{where}: keys are version, from, to and optionally templates")
        version = entry["version"]
        if not isinstance(version, str) or not _is_version(version):
            raise MigrationError(f'{where}: version must be a PEP 440 version string, such as "2.0.0"')
        templates = entry.get("templates")
        if templates is not None and (
            not isinstance(templates, list) or not templates or not all(isinstance(t, str) and t for t in templates)
        ):
            raise MigrationError(f"{where}: templates must be a non-empty list of template names")
        source, target = _relative(entry["from"], f"{where}.from"), _relative(entry["to"], f"{where}.to")
        if source.endswith("/") != target.endswith("/"):
            raise MigrationError(f"{where}: from and to must both be files or both be folders (trailing '/')")
        if source == target:
            raise MigrationError(f"{where}: from and to are the same path")
        moves.append(Move(version, tuple(templates) if templates else None, source, target))
    return moves


def applicable(moves: Iterable[Move], template: str, old: str, new: str) -> list[Move]:
    """The moves of releases after ``old`` up to ``new`` (copier's rule for versioned migrations), in order."""
    low, high = version_key(old), version_key(new)
    chosen = [
        m for m in moves if (m.templates is None or template in m.templates) and low < version_key(m.version) <= high
    ]
    return sorted(chosen, key=lambda m: version_key(m.version))  # stable: file order within a release


def follow(path: str, moves: Sequence[Move]) -> str:
    """Where a file of the old version is after every applicable move (moves chain across releases)."""
    for move in moves:
        path = move.apply(path)
    return path


# --- git and copier ---------------------------------------------------------------------------


def git(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> bytes:
    done = subprocess.run(["git", *args], input=stdin, capture_output=True, check=False, cwd=cwd)
    if done.returncode != 0:
        raise MigrationError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def committed_files() -> dict[str, str]:
    """Regular files committed at HEAD under the current folder: path relative to it -> git mode."""
    files = {}
    for record in git("ls-tree", "-r", "-z", "HEAD").split(b"\0"):
        if not record:
            continue
        meta, name = record.decode("utf-8", "surrogateescape").split("\t", 1)
        mode, kind, _ = meta.split()
        if kind == "blob" and mode in {"100644", "100755"}:
            files[name] = mode
    return files


def committed(prefix: str, path: str) -> bytes:
    return git("cat-file", "blob", f"HEAD:{prefix}{path}")


def render_old_version(template_root: Path, ref: str, answers_file: str, answers: bytes, work: Path) -> dict[str, Path]:
    """Render the template at ``ref`` with the committed answers: copier's own "old copy" of the update.

    The files come from copier's local clone of the template (``git archive``, no network); copier
    renders them with the answers committed at HEAD, skipping tasks. Returns rendered files by path.
    """
    source, output = work / "template", work / "old"
    source.mkdir()
    with tarfile.open(fileobj=io.BytesIO(git("-C", str(template_root), "archive", "--format=tar", ref))) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(source, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tar.extractall(source)  # our own template's archive
    (output / answers_file).parent.mkdir(parents=True, exist_ok=True)
    (output / answers_file).write_bytes(answers)
    command = [sys.executable, "-m", "copier", "copy", "--defaults", "--overwrite", "--trust", "--skip-tasks"]
    command += ["--quiet", f"--answers-file={answers_file}", str(source), str(output)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise MigrationError(f"rendering template version {ref} to compare with failed: {done.stderr.strip()}")
    return {
        path.relative_to(output).as_posix(): path
        for path in output.rglob("*")
        if path.is_file() and not path.is_symlink() and path.relative_to(output).as_posix() != answers_file
    }


def merge(ours: bytes, base: bytes, theirs: bytes, work: Path) -> tuple[bytes, int] | None:
    """``git merge-file`` of the three versions: (result, number of conflicts), or None if it cannot (binary)."""
    paths = []
    for name, content in (("ours", ours), ("base", base), ("theirs", theirs)):
        path = work / f"merge.{name}"
        path.write_bytes(content)
        paths.append(str(path))
    labels = [arg for label in LABELS for arg in ("-L", label)]
    done = subprocess.run(["git", "merge-file", "-p", *labels, *paths], capture_output=True, check=False)
    if not 0 <= done.returncode <= 127:
        return None
    return done.stdout, done.returncode


def record_conflict(prefix: str, path: str, mode: str, base: bytes, ours: bytes, theirs: bytes) -> None:
    """Record the conflict in the index (stages 1-3), as copier does, so git shows the file as unmerged."""
    shas = [git("hash-object", "-w", "--stdin", stdin=content).decode().strip() for content in (base, ours, theirs)]
    entries = [f"0 {'0' * 40}\t{prefix}{path}"]
    entries += [f"{mode} {sha} {stage}\t{prefix}{path}" for stage, sha in enumerate(shas, start=1)]
    git("update-index", "--index-info", stdin=("\n".join(entries) + "\n").encode())


def exists(path: str) -> bool:
    return Path(path).exists() or Path(path).is_symlink()


def discard(path: str) -> None:
    """Delete a file this update created, and the folders it leaves empty."""
    Path(path).unlink()
    for parent in PurePosixPath(path).parents:
        if str(parent) == "." or any(Path(parent).iterdir()):
            break
        Path(parent).rmdir()


def drop_rejection(path: str, head: dict[str, str]) -> None:
    """copier's ``--conflict rej`` leaves ``<path>.rej`` for edits to a file it then deleted: handled here."""
    rejected = f"{path}.rej"
    if rejected not in head and Path(rejected).is_file():
        Path(rejected).unlink()


def keep(path: str, content: bytes, why: str) -> None:
    kept = Path(path + KEPT_SUFFIX)
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(content)
    say(f"{why}; your edited version is kept as {kept.as_posix()}: move what you still need, then delete it")


# --- the migration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Update:
    """What copier tells the script about the update that just ran."""

    template_name: str
    template_root: Path
    answers_file: str
    old_ref: str
    old_version: str
    new_version: str
    moves_file: Path


def migrate(update: Update) -> None:
    """Carry the client's edits across the moves and removals of this update (working tree: after copier)."""
    moves = applicable(load_moves(update.moves_file), update.template_name, update.old_version, update.new_version)
    head = committed_files()
    gone = sorted(path for path in head if not exists(path) and path != update.answers_file)
    if not moves and not gone:
        return
    prefix = git("rev-parse", "--show-prefix").decode().strip()
    with tempfile.TemporaryDirectory(prefix="orgscaffold-migration-") as tmp:
        work = Path(tmp)
        answers = committed(prefix, update.answers_file)
        old = render_old_version(update.template_root, update.old_ref, update.answers_file, answers, work)
        handled: set[str] = set()
        for path in sorted(old):
            target = follow(path, moves)
            if target == path or exists(path):
                continue  # not moved, or the new version still renders the old path too
            if path not in head:
                # The client deleted the file (or moved it elsewhere): the deletion follows the move.
                if target not in head and Path(target).is_file():
                    discard(target)
                    say(f"{target} (formerly {path}) is not created: you had deleted {path}")
                continue
            if target in head or not Path(target).is_file():
                continue  # nothing new to merge into: handled as a removal below
            handled.add(path)
            ours, theirs = committed(prefix, path), Path(target).read_bytes()
            if ours == old[path].read_bytes():
                say(f"{path} moved to {target} (template {update.new_version}); you had not edited it")
                continue
            merged = merge(ours, old[path].read_bytes(), theirs, work)
            drop_rejection(path, head)
            if merged is None:
                keep(path, ours, f"{path} moved to {target}, which cannot be merged (binary?)")
                continue
            content, conflicts = merged
            Path(target).write_bytes(content)
            if conflicts:
                mode = "100755" if os.access(target, os.X_OK) else "100644"
                record_conflict(prefix, target, mode, old[path].read_bytes(), ours, theirs)
                say(
                    f"{path} moved to {target}: your edits are merged, with {conflicts} conflict(s); "
                    f"resolve the '<<<<<<< {LABELS[0]}' markers in {target}"
                )
            else:
                say(f"{path} moved to {target}: your edits are merged into it")
        for path in gone:
            if path in handled or path not in old:
                continue
            ours = committed(prefix, path)
            if ours == old[path].read_bytes():
                continue  # never edited: the template's removal is the whole story
            drop_rejection(path, head)
            keep(path, ours, f"template {update.new_version} no longer renders {path}, which you had edited")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--template-name", required=True, help="the template_name answer")
    parser.add_argument("--template-root", required=True, type=Path, help="copier's clone of the template")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--moves", type=Path, default=MOVES_FILE, help="the moves data file")
    args = parser.parse_args(argv)
    if os.environ.get("STAGE", "after") != "after":
        return 0
    try:
        update = Update(
            template_name=args.template_name,
            template_root=args.template_root,
            answers_file=args.answers_file,
            old_ref=os.environ["VERSION_FROM"],
            old_version=os.environ["VERSION_PEP440_FROM"],
            new_version=os.environ["VERSION_PEP440_TO"],
            moves_file=args.moves,
        )
        migrate(update)
    except KeyError as exc:
        say(f"run by copier's _migrations only: {exc.args[0]} is not set")
        return 2
    except MigrationError as exc:
        say(f"failed: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
