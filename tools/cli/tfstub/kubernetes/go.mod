// Stand-in for Terraform's nested kubernetes backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/kubernetes

go 1.25
