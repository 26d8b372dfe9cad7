# Phase 1 of the two-phase bootstrap (docs/reference.md "Two-phase bootstrap"): the state bucket does
# not exist yet, so the first apply keeps state locally. `init -backend=false` followed by `apply`
# fails while a `backend "s3"` block is active, hence this override. scripts/migrate-state.sh
# deletes this file and moves the state into the bucket; commit that deletion.
terraform {
  backend "local" {}
}
