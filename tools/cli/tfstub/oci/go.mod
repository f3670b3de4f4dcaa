// Stand-in for Terraform's nested oci backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/oci

go 1.25
