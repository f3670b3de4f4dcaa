package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.Resource                 = (*operationResource)(nil)
	_ resource.ResourceWithConfigure    = (*operationResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*operationResource)(nil)
	_ resource.ResourceWithUpgradeState = (*operationResource)(nil)
)

// resourceSchemaVersion is the version of every operation resource's state. Version 0 (0.1.0)
// held extra_keys and message_ids as sets; version 1 holds them as lists.
const resourceSchemaVersion = 1

// newOperationResource makes an operation an action-style resource: create runs it, the state
// records that it ran, read never calls the vendor, every change replaces, destroy forgets.
func newOperationResource(op *Operation) resource.Resource {
	return &operationResource{op: op}
}

type operationResource struct {
	op      *Operation
	clients *Clients
}

func (r *operationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.op.Name
}

// Schema declares the resource's shape, documentation and validators. Its behaviour at plan
// time (every argument forces replacement, lists compare as sets, the computed results carry
// over) is written out in plan, once for every operation, rather than declared as framework
// plan modifiers, so the provider's own server can run it without the framework (server.go).
func (r *operationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"triggers": schema.MapAttribute{
			Optional:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Arbitrary strings; changing any of them runs the operation again (as a replacement).",
		},
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Random identifier of this run.",
		},
		"executed_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the operation completed (RFC 3339, UTC).",
		},
		"vendor_app": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The vendor app the run acted on: the RongCloud app key, the Easemob `org_name/app_name` " +
				"or the Tencent Cloud IM SDKAppID. When the provider is pointed at another app the operation is planned " +
				"again (as a replacement), so a run recorded against one app never stands in for another, such as a dry " +
				"run against the emulator with test credentials.",
		},
		"vendor_calls": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "How many vendor API calls the run made (large lists are split into several). It counts " +
				"calls, not messages deleted: the vendors answer success for IDs that do not exist, so check IDs before applying.",
		},
	}
	for _, arg := range r.op.Arguments {
		attrs[arg.Name] = resourceAttribute(arg)
	}
	resp.Schema = schema.Schema{
		Version:             resourceSchemaVersion,
		MarkdownDescription: r.op.Description,
		Attributes:          attrs,
	}
}

// resourceAttribute renders an argument for the resource surface. An optional argument with a
// default is also computed, so that the plan can show the default.
func resourceAttribute(arg Argument) schema.Attribute {
	optional, computed := !arg.Required, arg.Default != nil
	description := arg.markdownDescription()
	switch arg.Kind {
	case KindBool:
		return schema.BoolAttribute{
			Required: arg.Required, Optional: optional, Computed: computed, MarkdownDescription: description,
		}
	case KindInt64:
		return schema.Int64Attribute{
			Required: arg.Required, Optional: optional, Computed: computed, MarkdownDescription: description,
			Validators: arg.Int64Validators,
		}
	case KindStringList:
		return schema.ListAttribute{
			Required: arg.Required, Optional: optional, Computed: computed, MarkdownDescription: description,
			ElementType: types.StringType, Validators: arg.ListValidators,
		}
	default:
		return schema.StringAttribute{
			Required: arg.Required, Optional: optional, Computed: computed, MarkdownDescription: description,
			Validators: arg.StringValidators,
		}
	}
}

func (r *operationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	clients, diags := clientsFromProviderData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	if clients != nil {
		r.clients = clients
	}
}

// ModifyPlan replaces the framework's plan with plan's, which decides everything from the
// configuration and the recorded state.
func (r *operationResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy, which only forgets
	}
	planned, replace, diags := r.plan(req.Config.Raw, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	resp.Plan.Raw = planned
	resp.RequiresReplace = append(resp.RequiresReplace, replace...)
}

func (r *operationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	args, diags := r.op.readArgs(req.Plan.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(message string) { tflog.Info(ctx, message, map[string]any{"operation": r.op.TypeName()}) }
	outcome, err := r.op.Run(ctx, r.clients, args, progress)
	if err != nil {
		addFailure(ctx, r.op, outcome, err, &resp.Diagnostics)
		return
	}
	// Only now, with every call answered OK, is the run recorded.
	app, _ := r.clients.app(r.op.Vendor)
	resp.State.Raw = req.Plan.Raw
	resp.Diagnostics.Append(setTopLevel(&resp.State.Raw, map[string]tftypes.Value{
		"id":           tftypes.NewValue(tftypes.String, newRunID()),
		"executed_at":  tftypes.NewValue(tftypes.String, time.Now().UTC().Format(time.RFC3339)),
		"vendor_calls": tftypes.NewValue(tftypes.Number, int64(outcome.CallsDone)),
		"vendor_app":   tftypes.NewValue(tftypes.String, app),
	})...)
}

// Read keeps the state as it is: the record says the operation ran, and there is nothing at
// the vendor to compare it with.
func (r *operationResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

// Update is reached only if a future attribute does not force replacement; it keeps the plan.
func (r *operationResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

// UpgradeState brings a state written by 0.1.0 to the current schema (see upgradeStateJSON).
func (r *operationResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: func(_ context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			upgraded, diags := r.upgradeState(req.RawState)
			resp.Diagnostics.Append(diags...)
			resp.DynamicValue = upgraded
		}},
	}
}

// Delete only forgets: nothing that was deleted or recalled can be brought back.
func (r *operationResource) Delete(ctx context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
	tflog.Info(ctx, "removing the record of "+r.op.TypeName()+" from state; nothing is undone at the vendor")
}

// setTopLevel replaces top-level attributes of an object value. Rebuilding the object from its
// attributes leaves the others, however large, as they are, where the framework's SetAttribute
// walks the whole value, every entry of a 100,000-ID list included, for each attribute it sets.
func setTopLevel(object *tftypes.Value, values map[string]tftypes.Value) diag.Diagnostics {
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := object.As(&attrs); err != nil {
		diags.AddError("Unexpected value", "Reading an object to update it: "+err.Error())
		return diags
	}
	for name, v := range values {
		attrs[name] = v
	}
	if err := tftypes.ValidateValue(object.Type(), attrs); err != nil {
		diags.AddError("Unexpected value", "Updating an object: "+err.Error())
		return diags
	}
	*object = tftypes.NewValue(object.Type(), attrs)
	return diags
}

func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
