"""Regenerate src/orgscaffold/data/aws6_schema.json: the hashicorp/aws 6.x arguments of the types the templates use.

The source is the npm package @cdktf/provider-aws, which is generated from the provider's schema:
each resource's ``index.d.ts`` declares a ``<Name>Config`` interface whose properties are the
resource's arguments (computed-only attributes are not there), nested blocks are interfaces of
their own, and every property links to the registry page of its Terraform name
(``.../docs/resources/s3_bucket#bucket_prefix``). Only the types used by ``templates/`` are kept,
so the extract stays small enough to commit.

    python scripts/extract_provider_schema.py                 # npm pack the pinned version into a temp dir
    python scripts/extract_provider_schema.py --tarball X.tgz # or read a package tarball already downloaded

Needs ``npm`` (only to download the package) and nothing outside the standard library.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "@cdktf/provider-aws"
VERSION = "21.22.1"  # hashicorp/aws 6.25.0
OUTPUT = ROOT / "src/orgscaffold/data/aws6_schema.json"

_USED = re.compile(r'^\s*(resource|data)\s+"(aws_[a-z0-9_]+)"', re.MULTILINE)
_INTERFACE = re.compile(r"^export interface (\w+)(?: extends [\w.]+)? \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)
# A property: its doc comment's registry link (#terraform_name), any further comment lines, then its declaration.
_PROPERTY = re.compile(r"#(\w+) \w+#\w+\}(?:(?!\*/).)*\*/\s*readonly (\w+)(\??): ([^;]+);", re.DOTALL)
_PROVIDER_VERSION = re.compile(r"registry\.terraform\.io/providers/hashicorp/aws/([0-9.]+)/docs")


def used_types(templates: Path) -> dict[str, set[str]]:
    """Resource and data source types named by any template file, by kind."""
    found: dict[str, set[str]] = {"resource": set(), "data": set()}
    for path in templates.rglob("*"):
        if path.is_file() and (path.suffix in (".tf", ".tofu") or path.name.endswith((".tf.jinja", ".tofu.jinja"))):
            for kind, name in _USED.findall(path.read_text(encoding="utf-8")):
                found[kind].add(name)
    return found


def member_name(kind: str, type_name: str) -> str:
    """The package file that declares a type: lib/<kebab name>/index.d.ts (data sources prefixed)."""
    folder = type_name.removeprefix("aws_").replace("_", "-")
    return f"package/lib/{'data-aws-' + folder if kind == 'data' else folder}/index.d.ts"


def _block(interfaces: dict[str, str], name: str, seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    arguments: dict[str, dict[str, bool]] = {}
    blocks: dict[str, Any] = {}
    for tf_name, _, optional, type_text in _PROPERTY.findall(interfaces[name]):
        nested = next((t for t in re.findall(r"\w+", type_text) if t in interfaces and t != name), None)
        if nested is not None and nested not in seen:
            blocks[tf_name] = {"required": not optional, **_block(interfaces, nested, seen | {name})}
        else:
            arguments[tf_name] = {"required": not optional}
    return {"arguments": dict(sorted(arguments.items())), "blocks": dict(sorted(blocks.items()))}


def schema_of(text: str) -> tuple[dict[str, Any], str | None]:
    """Arguments and nested blocks of the type declared in one ``index.d.ts``, and the provider version."""
    interfaces = {match[1]: match[2] for match in _INTERFACE.finditer(text)}
    config = next(name for name in interfaces if name.endswith("Config") and f"interface {name} extends" in text)
    version = _PROVIDER_VERSION.search(text)
    return _block(interfaces, config), version[1] if version else None


def extract(tarball: Path, types: dict[str, set[str]]) -> dict[str, Any]:
    """The schema extract for ``types`` from a package tarball."""
    wanted = {member_name(kind, name): (kind, name) for kind, names in types.items() for name in names}
    result: dict[str, Any] = {"resource": {}, "data": {}}
    versions: set[str] = set()
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if member.name not in wanted:
                continue
            handle = archive.extractfile(member)
            assert handle is not None
            kind, name = wanted.pop(member.name)
            result[kind][name], version = schema_of(handle.read().decode("utf-8"))
            versions.update([version] if version else [])
    if wanted:
        sys.exit(f"not in {tarball.name}: {', '.join(sorted(n for _, n in wanted.values()))}")
    return {
        "source": f"{PACKAGE}@{VERSION} (npm), generated from the provider schema",
        "provider": "hashicorp/aws",
        "provider_version": ", ".join(sorted(versions)),
        "regenerate": "python scripts/extract_provider_schema.py",
        "resource": dict(sorted(result["resource"].items())),
        "data": dict(sorted(result["data"].items())),
    }


def main() -> None:
    """Download the package (unless given), extract, and write the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="an already downloaded package tarball")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    types = used_types(ROOT / "templates")
    with tempfile.TemporaryDirectory(prefix="aws-schema-") as tmp:
        tarball = args.tarball
        if tarball is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", tmp, "--silent"], check=True)
            tarball = next(Path(tmp).glob("*.tgz"))
        extracted = extract(tarball, types)
    args.output.write_text(json.dumps(extracted, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(extracted['resource'])} resources, {len(extracted['data'])} data sources)")


if __name__ == "__main__":
    main()
