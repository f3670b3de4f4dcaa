// Shared body of the remote-state backend stubs; see ../../README.md.
module github.com/hashicorp/terraform/internal/backend/remote-state/unavailable

go 1.25
