// Package unavailable is a state backend that refuses every use. It stands in for the remote-state
// backends whose source the Terraform module zip leaves out (they are nested modules of the
// Terraform repository), so that Terraform builds from the Go module proxy for provider tests,
// which keep their state in the local backend.
package unavailable

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
)

// Backend is the stand-in for the named backend.
type Backend struct{ name string }

// New returns a stand-in for the backend called name.
func New(name string) backend.Backend { return Backend{name: name} }

func (b Backend) diags() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(tfdiags.Sourceless(tfdiags.Error,
		fmt.Sprintf("The %q backend is not available in this build", b.name),
		"This Terraform was built from the Go module proxy for provider tests, without the remote-state backends. Use the local backend, or an official Terraform release."))
}

// ConfigSchema accepts any attributes, so that the error comes from Configure with its reason.
func (Backend) ConfigSchema() *configschema.Block { return &configschema.Block{} }

// PrepareConfig refuses the backend.
func (b Backend) PrepareConfig(v cty.Value) (cty.Value, tfdiags.Diagnostics) { return v, b.diags() }

// Configure refuses the backend.
func (b Backend) Configure(cty.Value) tfdiags.Diagnostics { return b.diags() }

// StateMgr refuses the backend.
func (b Backend) StateMgr(string) (statemgr.Full, tfdiags.Diagnostics) { return nil, b.diags() }

// DeleteWorkspace refuses the backend.
func (b Backend) DeleteWorkspace(string, bool) tfdiags.Diagnostics { return b.diags() }

// Workspaces refuses the backend.
func (b Backend) Workspaces() ([]string, tfdiags.Diagnostics) { return nil, b.diags() }
