# One Amplify app with its production branch and custom domain (docs/reference.md "Amplify").

resource "aws_amplify_app" "this" {
  name        = var.name
  description = var.description
  repository  = var.repository
  platform    = var.platform
  build_spec  = var.build_spec
  # Connects through the Amplify GitHub App; the token is a sensitive variable, never rendered.
  # It is needed only to create the app: pull-request plans and drift checks run without it
  # (null), and a later token rotation must not show up as a change.
  access_token = var.access_token
  tags         = var.tags

  lifecycle {
    ignore_changes = [access_token]
  }
}

resource "aws_amplify_branch" "this" {
  app_id            = aws_amplify_app.this.id
  branch_name       = var.branch
  framework         = var.framework
  stage             = "PRODUCTION"
  enable_auto_build = true
  tags              = var.tags
}

resource "aws_amplify_domain_association" "this" {
  app_id      = aws_amplify_app.this.id
  domain_name = var.domain
  # The zone lives in the DNS account, so Amplify cannot write the validation record itself;
  # waiting would block until the records written by this repository propagate.
  wait_for_verification = false

  dynamic "sub_domain" {
    for_each = toset(var.subdomains)

    content {
      branch_name = aws_amplify_branch.this.branch_name
      prefix      = sub_domain.value
    }
  }
}
