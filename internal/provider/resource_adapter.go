package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ resource.Resource               = (*operationResource)(nil)
	_ resource.ResourceWithConfigure  = (*operationResource)(nil)
	_ resource.ResourceWithModifyPlan = (*operationResource)(nil)
)

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

func (r *operationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"triggers": schema.MapAttribute{
			Optional:            true,
			ElementType:         types.StringType,
			MarkdownDescription: "Arbitrary strings; changing any of them runs the operation again (as a replacement).",
			PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Random identifier of this run.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"executed_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the operation completed (RFC 3339, UTC).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"vendor_app": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "The vendor app the run acted on: the RongCloud app key, the Easemob `org_name/app_name` " +
				"or the Tencent Cloud IM SDKAppID. When the provider is pointed at another app the operation is planned " +
				"again (as a replacement), so a run recorded against one app never stands in for another, such as a dry " +
				"run against the emulator with test credentials.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"vendor_calls": schema.Int64Attribute{
			Computed: true,
			MarkdownDescription: "How many vendor API calls the run made (large lists are split into several). It counts " +
				"calls, not messages deleted: the vendors answer success for IDs that do not exist, so check IDs before applying.",
			PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
	}
	for _, arg := range r.op.Arguments {
		attrs[arg.Name] = resourceAttribute(arg)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: r.op.Description,
		Attributes:          attrs,
	}
}

// resourceAttribute renders an argument for the resource surface: every argument forces
// replacement, because changing what was deleted means running the deletion again.
func resourceAttribute(arg Argument) schema.Attribute {
	optional := !arg.Required
	switch arg.Kind {
	case KindBool:
		a := schema.BoolAttribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: arg.Description,
			PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
		}
		if d, ok := arg.Default.(bool); ok {
			a.Computed, a.Default = true, booldefault.StaticBool(d)
		}
		return a
	case KindInt64:
		return schema.Int64Attribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: arg.Description,
			Validators: arg.Int64Validators, PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
		}
	case KindStringSet:
		return schema.SetAttribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: arg.Description, ElementType: types.StringType,
			Validators: arg.SetValidators, PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
		}
	default:
		return schema.StringAttribute{
			Required: arg.Required, Optional: optional, MarkdownDescription: arg.Description,
			Validators: arg.StringValidators, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
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

// ModifyPlan ties the record to the vendor app it was made against, and warns when a run
// being planned cannot succeed because its vendor has no credentials (a reviewer sees that in
// the plan rather than in a failed apply).
func (r *operationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy, which only forgets
	}
	app, known := r.clients.app(r.op.Vendor)
	if req.State.Raw.IsNull() {
		r.clients.addPlanWarning(r.op, &resp.Diagnostics)
		if known {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("vendor_app"), app)...)
		}
		return
	}
	var recorded types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("vendor_app"), &recorded)...)
	if known && recorded.ValueString() != app {
		// The record says the operation ran somewhere else: run it here.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("vendor_app"))
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("vendor_app"), app)...)
	}
}

func (r *operationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	args, diags := r.op.readArgs(ctx, req.Plan)
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
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), newRunID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("executed_at"), time.Now().UTC().Format(time.RFC3339))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vendor_calls"), int64(outcome.CallsDone))...)
	app, _ := r.clients.app(r.op.Vendor)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("vendor_app"), app)...)
}

// Read keeps the state as it is: the record says the operation ran, and there is nothing at
// the vendor to compare it with.
func (r *operationResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

// Update is reached only if a future attribute does not force replacement; it keeps the plan.
func (r *operationResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw.Copy()
}

// Delete only forgets: nothing that was deleted or recalled can be brought back.
func (r *operationResource) Delete(ctx context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
	tflog.Info(ctx, "removing the record of "+r.op.TypeName()+" from state; nothing is undone at the vendor")
}

func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
