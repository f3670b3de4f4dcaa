// Package consul stands in for Terraform's consul state backend, which this build leaves out.
package consul

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/unavailable"
)

// New returns a backend that refuses every use.
func New() backend.Backend { return unavailable.New("consul") }
