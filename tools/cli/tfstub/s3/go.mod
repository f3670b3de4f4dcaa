// Stand-in for Terraform's nested s3 backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/s3

go 1.25
