"""Developer helper: render one example into a folder without verification or git.

    python scripts/render_dev.py examples/seed.yaml /tmp/out [bootstrap,dns]

Then, to check with the real CLI (offline provider mirror):
    TF_CLI_CONFIG_FILE=/tmp/tfrc terraform -chdir=/tmp/out/aws-bootstrap init -backend=false
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from orgscaffold.plan import parse_only, plan
from orgscaffold.questionnaire import load_questionnaire
from orgscaffold.render import render, template_source

questionnaire = load_questionnaire(Path(sys.argv[1]))
out = Path(sys.argv[2])
only = parse_only(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
for plan_ in plan(questionnaire, only=only):
    shutil.rmtree(out / plan_.name, ignore_errors=True)
for key, path in render(plan(questionnaire, only=only), out, source=template_source()).items():
    print(key, path)
