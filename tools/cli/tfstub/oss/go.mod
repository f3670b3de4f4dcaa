// Stand-in for Terraform's nested oss backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/oss

go 1.25
