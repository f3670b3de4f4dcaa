// Stand-in for Terraform's nested gcs backend module; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/gcs

go 1.25
