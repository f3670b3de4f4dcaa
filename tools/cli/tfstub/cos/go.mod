// Stand-in for Terraform's nested cos backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/cos

go 1.25
