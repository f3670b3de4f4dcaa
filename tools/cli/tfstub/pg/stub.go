// Package pg stands in for Terraform's pg state backend, which this build leaves out.
package pg

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/unavailable"
)

// New returns a backend that refuses every use.
func New() backend.Backend { return unavailable.New("pg") }
