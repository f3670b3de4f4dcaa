// Empty stand-in for Terraform's nested internal/legacy module, which no package of the
// terraform command imports but its go.mod requires; see ../../README.md.
module github.com/hashicorp/terraform/internal/legacy

go 1.25
