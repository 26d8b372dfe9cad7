# The management account runs with plain credentials (break-glass admin in phase 1, the CI role
# afterwards); no role is assumed here.
provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}

# The state bucket, lock table and state key live in the state region, which may differ from the
# home region.
provider "aws" {
  alias  = "state"
  region = var.state.region

  default_tags {
    tags = var.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}
