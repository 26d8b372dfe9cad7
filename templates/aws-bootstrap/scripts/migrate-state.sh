#!/usr/bin/env bash
# Phase 2 of the two-phase bootstrap (docs/reference.md "Two-phase bootstrap"): move the local state
# of the first apply into the S3 bucket that apply created, then prove nothing changed.
#
#   TF=tofu scripts/migrate-state.sh      # TF defaults to tofu; TF=terraform works too
set -euo pipefail

TF="${TF:-tofu}"
cd "$(dirname "$0")/.."

if [[ ! -f terraform.tfstate ]]; then
  echo "No local terraform.tfstate here: run phase 1 (init + apply with backend_override.tf) first." >&2
  exit 1
fi

# Without the override the backend "s3" block of backend.tf takes effect.
rm -f backend_override.tf

"$TF" init -input=false -migrate-state -force-copy -backend-config=backend.hcl

# Exit code 0 = no changes, 1 = error, 2 = changes: only 0 proves the migration was faithful.
set +e
"$TF" plan -input=false -detailed-exitcode
status=$?
set -e
if [[ $status -ne 0 ]]; then
  echo "The plan after migration is not empty (exit code $status): do not delete the local state; investigate first." >&2
  exit 1
fi

cat <<'DONE'
State migrated into the S3 backend and the plan is empty.
Next:
  1. Delete the local state files, they hold secrets:  rm -f terraform.tfstate terraform.tfstate.*
  2. Commit the deletion of backend_override.tf.
DONE
