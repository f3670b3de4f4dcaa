// Stand-in for Terraform's nested azure backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/azure

go 1.25
