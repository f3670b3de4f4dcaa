// Stand-in for Terraform's nested consul backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/consul

go 1.25
