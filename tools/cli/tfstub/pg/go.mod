// Stand-in for Terraform's nested pg backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/pg

go 1.25
