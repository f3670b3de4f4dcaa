package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider's protocol server is the framework's, except for the RPCs that carry an
// operation's arguments and state: validating, planning, applying, reading and upgrading an
// operation resource, and validating, planning and invoking an operation action. Those values
// hold the user's whole list of IDs, up to hundreds of thousands of them, and the framework
// (v1.19) walks every entry of a value several times per RPC: to nullify write-only attributes,
// to mark computed attributes unknown, to nullify collection blocks, to check semantic
// equality, and once more for each attribute a plan modifier sets, each time building a path,
// a schema lookup and a logging context per entry. With the trace logging that providers run
// at by default the logging context grows with every entry, which makes those walks quadratic:
// at 10,000 IDs a plan spent seconds in them, at 100,000 minutes.
//
// For these RPCs the server decodes the request once and calls the same adapter methods and
// declared validators the framework would call (operationResource.plan, Create, Delete,
// upgradeState; operationAction.ModifyPlan, Invoke; each argument's validators), in time linear
// in the size of the list. Everything else (schemas, provider configuration, import and the
// like) is the framework's.

// frameworkServer is what the framework's server implements: the protocol and its optional
// parts, which the provider's server passes on unchanged.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
	tfprotov6.StateStoreServer
}

// NewServer returns the constructor of the provider's plugin protocol 6 server, in the form
// tf6server and terraform-plugin-testing take.
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &imopsProvider{version: version}
		server, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		framework, ok := server.(frameworkServer)
		if !ok {
			return nil, fmt.Errorf("the framework's server (%T) no longer serves actions, list resources and state stores", server)
		}
		s := &operationServer{
			frameworkServer: framework,
			provider:        p,
			resources:       map[string]operationType{},
			actions:         map[string]operationType{},
			cancels:         map[*context.CancelFunc]struct{}{},
		}
		ctx := context.Background()
		for _, op := range operations() {
			var resourceSchema resource.SchemaResponse
			(&operationResource{op: op}).Schema(ctx, resource.SchemaRequest{}, &resourceSchema)
			s.resources[op.TypeName()] = operationType{op: op, typ: resourceSchema.Schema.Type().TerraformType(ctx),
				blank: tfsdk.Config{Schema: resourceSchema.Schema}}
			var actionSchema action.SchemaResponse
			newOperationAction(op).Schema(ctx, action.SchemaRequest{}, &actionSchema)
			s.actions[op.TypeName()] = operationType{op: op, typ: actionSchema.Schema.Type().TerraformType(ctx),
				blank: tfsdk.Config{Schema: actionSchema.Schema}}
		}
		return s, nil
	}
}

type operationServer struct {
	frameworkServer
	provider  *imopsProvider
	resources map[string]operationType
	actions   map[string]operationType

	// cancels ends the runs in flight when Terraform stops the provider, as the framework
	// does for the RPCs it serves.
	mu      sync.Mutex
	cancels map[*context.CancelFunc]struct{}
}

// operationType is one operation's resource or action type, as the server needs it.
type operationType struct {
	op  *Operation
	typ tftypes.Type
	// blank holds the type's schema and no value; config, plan and state copy it.
	blank tfsdk.Config
}

func (t operationType) config(raw tftypes.Value) tfsdk.Config {
	return tfsdk.Config{Raw: raw, Schema: t.blank.Schema}
}

func (t operationType) plan(raw tftypes.Value) tfsdk.Plan {
	return tfsdk.Plan{Raw: raw, Schema: t.blank.Schema}
}

func (t operationType) state(raw tftypes.Value) tfsdk.State {
	return tfsdk.State{Raw: raw, Schema: t.blank.Schema}
}

// validate runs the operation's validators on a configuration Terraform sent.
func (t operationType) validate(ctx context.Context, value *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	config, diags := decodeValue(value, t.typ)
	if !diags.HasError() {
		diags.Append(t.op.validate(ctx, t.config(config))...)
	}
	return protocolDiagnostics(diags)
}

// resource returns the resource adapter of rt, configured as the framework would configure it
// for one RPC.
func (s *operationServer) resource(rt operationType) *operationResource {
	return &operationResource{op: rt.op, clients: s.provider.clients.Load()}
}

func (s *operationServer) action(at operationType) *operationAction {
	a := newOperationAction(at.op).(*operationAction)
	a.clients = s.provider.clients.Load()
	return a
}

// stoppable returns a context that StopProvider cancels, and the function that forgets it.
func (s *operationServer) stoppable(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancels[&cancel] = struct{}{}
	s.mu.Unlock()
	return ctx, func() {
		s.mu.Lock()
		delete(s.cancels, &cancel)
		s.mu.Unlock()
		cancel()
	}
}

// StopProvider cancels the runs in flight, then lets the framework stop its own.
func (s *operationServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	s.mu.Lock()
	for cancel := range s.cancels {
		(*cancel)()
	}
	s.mu.Unlock()
	return s.frameworkServer.StopProvider(ctx, req)
}

func (s *operationServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	rt, ok := s.resources[req.TypeName]
	if !ok {
		return s.frameworkServer.ValidateResourceConfig(ctx, req)
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: rt.validate(ctx, req.Config)}, nil
}

func (s *operationServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	rt, ok := s.resources[req.TypeName]
	if !ok {
		return s.frameworkServer.PlanResourceChange(ctx, req)
	}
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedPrivate: req.PriorPrivate}
	if isNull(req.ProposedNewState) {
		// A destroy only forgets the record: the plan is Terraform's null.
		resp.PlannedState = req.ProposedNewState
		return resp, nil
	}
	// The proposed new state is not read further: plan works from the configuration and the
	// recorded state alone.
	var diags diag.Diagnostics
	prior := decodeInto(&diags, req.PriorState, rt.typ)
	config := decodeInto(&diags, req.Config, rt.typ)
	if diags.HasError() {
		resp.Diagnostics = protocolDiagnostics(diags)
		return resp, nil
	}
	planned, replace, planDiags := s.resource(rt).plan(config, prior)
	diags.Append(planDiags...)
	if !diags.HasError() {
		resp.PlannedState = encodeInto(&diags, rt.typ, planned)
		resp.RequiresReplace = protocolPaths(replace)
	}
	resp.Diagnostics = protocolDiagnostics(diags)
	return resp, nil
}

func (s *operationServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	rt, ok := s.resources[req.TypeName]
	if !ok {
		return s.frameworkServer.ApplyResourceChange(ctx, req)
	}
	ctx, forget := s.stoppable(ctx)
	defer forget()
	resp := &tfprotov6.ApplyResourceChangeResponse{Private: req.PlannedPrivate}
	var diags diag.Diagnostics
	planned := decodeInto(&diags, req.PlannedState, rt.typ)
	prior := decodeInto(&diags, req.PriorState, rt.typ)
	config := decodeInto(&diags, req.Config, rt.typ)
	if diags.HasError() {
		resp.Diagnostics = protocolDiagnostics(diags)
		return resp, nil
	}
	r := s.resource(rt)
	newState := tftypes.NewValue(rt.typ, nil)
	switch {
	case planned.IsNull():
		var deleted resource.DeleteResponse
		r.Delete(ctx, resource.DeleteRequest{State: rt.state(prior)}, &deleted)
		diags.Append(deleted.Diagnostics...)
	case prior.IsNull():
		created := resource.CreateResponse{State: rt.state(newState)}
		r.Create(ctx, resource.CreateRequest{
			Config: rt.config(config),
			Plan:   rt.plan(planned),
		}, &created)
		diags.Append(created.Diagnostics...)
		newState = created.State.Raw
	default:
		updated := resource.UpdateResponse{State: rt.state(prior)}
		r.Update(ctx, resource.UpdateRequest{
			Config: rt.config(config),
			Plan:   rt.plan(planned),
			State:  rt.state(prior),
		}, &updated)
		diags.Append(updated.Diagnostics...)
		newState = updated.State.Raw
	}
	if !diags.HasError() && !newState.IsFullyKnown() {
		diags.AddError("Unexpected state after apply", "The recorded state of "+rt.op.TypeName()+
			" holds values not known after the run. This is a bug in the provider.")
	}
	if diags.HasError() && !prior.IsNull() {
		newState = prior // a failed change keeps the record as it was
	}
	resp.NewState = encodeInto(&diags, rt.typ, newState)
	resp.Diagnostics = protocolDiagnostics(diags)
	return resp, nil
}

// ReadResource hands the state back as it is, without decoding it: an operation's record has
// nothing at the vendor to compare with (operationResource.Read is empty), so a workspace
// holding a run of 100,000 IDs refreshes for free.
func (s *operationServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if _, ok := s.resources[req.TypeName]; !ok {
		return s.frameworkServer.ReadResource(ctx, req)
	}
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *operationServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	rt, ok := s.resources[req.TypeName]
	if !ok {
		return s.frameworkServer.UpgradeResourceState(ctx, req)
	}
	if req.Version < 0 || req.Version > resourceSchemaVersion {
		var diags diag.Diagnostics
		diags.AddError("Unable to upgrade the state of "+req.TypeName, fmt.Sprintf("The state was written by a newer "+
			"version of the provider (schema version %d; this version knows up to %d). Use that version or a later one.",
			req.Version, resourceSchemaVersion))
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: protocolDiagnostics(diags)}, nil
	}
	upgraded, diags := s.resource(rt).upgradeState(req.RawState)
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: upgraded, Diagnostics: protocolDiagnostics(diags)}, nil
}

func (s *operationServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	at, ok := s.actions[req.ActionType]
	if !ok {
		return s.frameworkServer.ValidateActionConfig(ctx, req)
	}
	return &tfprotov6.ValidateActionConfigResponse{Diagnostics: at.validate(ctx, req.Config)}, nil
}

func (s *operationServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	at, ok := s.actions[req.ActionType]
	if !ok {
		return s.frameworkServer.PlanAction(ctx, req)
	}
	config, diags := decodeValue(req.Config, at.typ)
	if !diags.HasError() {
		var planned action.ModifyPlanResponse
		s.action(at).ModifyPlan(ctx, action.ModifyPlanRequest{Config: at.config(config)}, &planned)
		diags.Append(planned.Diagnostics...)
	}
	return &tfprotov6.PlanActionResponse{Diagnostics: protocolDiagnostics(diags)}, nil
}

// InvokeAction runs the action's Invoke in its own goroutine and streams what it sends: each
// progress line as it comes (Invoke waits until the line is taken), then the diagnostics.
func (s *operationServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	at, ok := s.actions[req.ActionType]
	if !ok {
		return s.frameworkServer.InvokeAction(ctx, req)
	}
	config, diags := decodeValue(req.Config, at.typ)
	completed := func(diags diag.Diagnostics) tfprotov6.InvokeActionEvent {
		return tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{Diagnostics: protocolDiagnostics(diags)}}
	}
	if diags.HasError() {
		return &tfprotov6.InvokeActionServerStream{Events: func(push func(tfprotov6.InvokeActionEvent) bool) {
			push(completed(diags))
		}}, nil
	}
	a := s.action(at)
	return &tfprotov6.InvokeActionServerStream{Events: func(push func(tfprotov6.InvokeActionEvent) bool) {
		ctx, forget := s.stoppable(ctx)
		defer forget()
		lines := make(chan string)
		finished := make(chan diag.Diagnostics, 1)
		go func() {
			resp := action.InvokeResponse{SendProgress: func(event action.InvokeProgressEvent) {
				select {
				case lines <- event.Message:
				case <-ctx.Done():
				}
			}}
			a.Invoke(ctx, action.InvokeRequest{Config: at.config(config)}, &resp)
			finished <- resp.Diagnostics
		}()
		for {
			select {
			case line := <-lines:
				if !push(tfprotov6.InvokeActionEvent{Type: tfprotov6.ProgressInvokeActionEventType{Message: line}}) {
					// Terraform stopped reading: end the run, and wait for it so that nothing
					// outlives the RPC.
					forget()
					<-finished
					return
				}
			case diags := <-finished:
				push(completed(diags))
				return
			}
		}
	}}, nil
}

// isNull reports whether Terraform sent a null value (or none), without decoding the value.
func isNull(value *tfprotov6.DynamicValue) bool {
	switch {
	case value == nil:
		return true
	case value.MsgPack != nil:
		return len(value.MsgPack) == 1 && value.MsgPack[0] == msgpackNil
	default:
		return strings.TrimSpace(string(value.JSON)) == "null"
	}
}

// msgpackNil is the MessagePack encoding of nil.
const msgpackNil = 0xc0

// decodeValue reads a value Terraform sent; a missing one is null.
func decodeValue(value *tfprotov6.DynamicValue, typ tftypes.Type) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	return decodeInto(&diags, value, typ), diags
}

func decodeInto(diags *diag.Diagnostics, value *tfprotov6.DynamicValue, typ tftypes.Type) tftypes.Value {
	if value == nil {
		return tftypes.NewValue(typ, nil)
	}
	decoded, err := value.Unmarshal(typ)
	if err != nil {
		diags.AddError("Unexpected data from Terraform", "Decoding a value Terraform sent: "+err.Error())
		return tftypes.NewValue(typ, nil)
	}
	return decoded
}

func encodeInto(diags *diag.Diagnostics, typ tftypes.Type, value tftypes.Value) *tfprotov6.DynamicValue {
	encoded, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		diags.AddError("Unexpected value", "Encoding a value for Terraform: "+err.Error()+". This is a bug in the provider.")
		return nil
	}
	return &encoded
}

// protocolDiagnostics converts the framework's diagnostics to the protocol's, as the
// framework's server does.
func protocolDiagnostics(diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	out := make([]*tfprotov6.Diagnostic, 0, len(diags))
	for _, d := range diags {
		converted := &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityInvalid, Summary: d.Summary(), Detail: d.Detail()}
		switch d.Severity() {
		case diag.SeverityError:
			converted.Severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			converted.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			converted.Attribute = protocolPath(withPath.Path())
		}
		out = append(out, converted)
	}
	return out
}

func protocolPaths(paths path.Paths) []*tftypes.AttributePath {
	out := make([]*tftypes.AttributePath, 0, len(paths))
	for _, p := range paths {
		if converted := protocolPath(p); converted != nil {
			out = append(out, converted)
		}
	}
	return out
}

// protocolPath converts the steps this provider's paths use; a path with another kind of
// step is given as no path, so the diagnostic names the resource rather than a wrong place.
func protocolPath(p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	out := tftypes.NewAttributePath()
	for _, step := range steps {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			out = out.WithAttributeName(string(s))
		case path.PathStepElementKeyInt:
			out = out.WithElementKeyInt(int(s))
		case path.PathStepElementKeyString:
			out = out.WithElementKeyString(string(s))
		default:
			return nil
		}
	}
	return out
}
