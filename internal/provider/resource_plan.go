package provider

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// computedResults are the attributes a run fills in; a plan carries them over from the
// recorded run, or leaves them unknown until the run.
var computedResults = []string{"id", "executed_at", "vendor_calls"}

// plan computes an operation resource's planned state from its configuration and its recorded
// state (null when the resource is created), and which attributes force a replacement:
//
//   - every argument and triggers: any change runs the operation again, except that a list
//     argument holding the recorded entries in another order or with repeats keeps the
//     recorded list and plans no change (Terraform accepts a planned value that differs from
//     the configuration of a non-computed attribute when it is exactly the prior value);
//   - an optional argument left out takes its default;
//   - id, executed_at and vendor_calls carry over from the recorded run, or are unknown;
//   - vendor_app is the app the provider now points at, and a run recorded against another
//     app is planned again.
//
// It also warns about repeated list entries, and on create when the vendor has no
// credentials. Each list is read once and compared through a hash set, so the plan costs time
// linear in its size.
func (r *operationResource) plan(config, prior tftypes.Value) (tftypes.Value, path.Paths, diag.Diagnostics) {
	var (
		diags    diag.Diagnostics
		replace  path.Paths
		attrs    map[string]tftypes.Value
		recorded map[string]tftypes.Value
	)
	creating := prior.IsNull()
	if err := config.As(&attrs); err != nil {
		diags.AddError("Unexpected configuration", "Reading the configuration of "+r.op.TypeName()+": "+err.Error())
		return config, nil, diags
	}
	if !creating {
		if err := prior.As(&recorded); err != nil {
			diags.AddError("Unexpected state", "Reading the recorded state of "+r.op.TypeName()+": "+err.Error())
			return config, nil, diags
		}
	}

	for _, arg := range r.op.Arguments {
		value := attrs[arg.Name]
		if value.IsNull() && arg.Default != nil {
			value = tftypes.NewValue(value.Type(), arg.Default)
			attrs[arg.Name] = value
		}
		if arg.Kind == KindStringList {
			if entries, known := stringEntries(value); known {
				set := entrySet(entries)
				addRepeatWarning(&diags, path.Root(arg.Name), arg.Name, len(entries)-len(set))
				if !creating {
					if recordedEntries, ok := stringEntries(recorded[arg.Name]); ok {
						if sameEntries(set, recordedEntries) {
							attrs[arg.Name] = recorded[arg.Name]
						} else {
							replace = append(replace, path.Root(arg.Name))
						}
						continue
					}
				}
			}
		}
		if !creating && !value.Equal(recorded[arg.Name]) {
			replace = append(replace, path.Root(arg.Name))
		}
	}
	if !creating && !attrs["triggers"].Equal(recorded["triggers"]) {
		replace = append(replace, path.Root("triggers"))
	}

	carried := func(name string) tftypes.Value {
		if !creating && !recorded[name].IsNull() {
			return recorded[name]
		}
		return tftypes.NewValue(attrs[name].Type(), tftypes.UnknownValue)
	}
	for _, name := range computedResults {
		attrs[name] = carried(name)
	}
	app, known := r.clients.app(r.op.Vendor)
	if known {
		attrs["vendor_app"] = tftypes.NewValue(tftypes.String, app)
		if !creating && !attrs["vendor_app"].Equal(recorded["vendor_app"]) {
			// The record says the operation ran somewhere else: run it here.
			replace = append(replace, path.Root("vendor_app"))
		}
	} else {
		attrs["vendor_app"] = carried("vendor_app")
	}
	if creating {
		// A replacement is planned as a create too: Terraform plans the new object again with
		// no prior state, so this covers it.
		r.clients.addPlanWarning(r.op, &diags)
	}
	if err := tftypes.ValidateValue(config.Type(), attrs); err != nil {
		diags.AddError("Unexpected plan", "Planning "+r.op.TypeName()+": "+err.Error())
		return config, nil, diags
	}
	return tftypes.NewValue(config.Type(), attrs), replace, diags
}

// upgradeState brings a stored state to the current schema version. Version 0 (0.1.0) held
// extra_keys and message_ids as sets, version 1 holds them as lists, and the other attributes
// are the same; a set and a list of strings are the same JSON array, so the stored JSON is
// the upgraded state as it is. It is handed back as JSON, which Terraform reads against the
// current schema, after dropping any attribute the schema does not have (as the framework
// does): one scan of the bytes, with no value built for the entries of a list.
func (r *operationResource) upgradeState(raw *tfprotov6.RawState) (*tfprotov6.DynamicValue, diag.Diagnostics) {
	var diags diag.Diagnostics
	fail := func(detail string) (*tfprotov6.DynamicValue, diag.Diagnostics) {
		diags.AddError("Unable to upgrade the state of "+r.op.TypeName(), detail)
		return nil, diags
	}
	if raw == nil || raw.JSON == nil {
		return fail("Terraform sent no stored state in JSON form to upgrade; states written by Terraform 0.11 and " +
			"earlier must be refreshed with Terraform 0.12 or later first.")
	}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(raw.JSON, &attrs); err != nil {
		return fail("The stored state is not a JSON object: " + err.Error())
	}
	known := r.stateType().AttributeTypes
	dropped := false
	for name := range attrs {
		if _, ok := known[name]; !ok {
			delete(attrs, name)
			dropped = true
		}
	}
	if !dropped {
		return &tfprotov6.DynamicValue{JSON: raw.JSON}, diags
	}
	upgraded, err := json.Marshal(attrs)
	if err != nil {
		return fail(fmt.Sprintf("Writing the upgraded state: %v", err))
	}
	return &tfprotov6.DynamicValue{JSON: upgraded}, diags
}

// stateType is the Terraform type of the resource's state.
func (r *operationResource) stateType() tftypes.Object {
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema.Type().TerraformType(context.Background()).(tftypes.Object)
}
