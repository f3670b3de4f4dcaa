// Package oci stands in for Terraform's oci state backend, which this build leaves out.
package oci

import (
	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/backend/remote-state/unavailable"
)

// New returns a backend that refuses every use.
func New() backend.Backend { return unavailable.New("oci") }
