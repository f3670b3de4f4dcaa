package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// The provider's own cost per RPC for one big job: 100,000 message IDs in one
// imops_easemob_roaming_chat_delete, sent to the provider server as Terraform would send them,
// against the in-process emulator with its rate limits off (and the client's limit raised), so
// what is measured is the provider and not the vendor's pace. Run with
//
//	go test -run '^$' -bench 'RPC' -benchmem ./internal/provider/
//
// and add -cpuprofile/-memprofile with one -bench pattern to see where the time goes.

const (
	benchType = "imops_easemob_roaming_chat_delete"
	benchIDs  = 100_000
)

// rpcBench holds one configured provider server and the values of one job at every stage of
// its life: configuration, planned create, applied state.
type rpcBench struct {
	p *protocolProvider
	// ids is the job's list; shuffled is the same IDs in another order.
	ids, shuffled []string
	resourceType  tftypes.Type
	config        *tfprotov6.DynamicValue
	// proposedCreate is Terraform's proposed new state for a create: the configuration with
	// every computed attribute null.
	proposedCreate *tfprotov6.DynamicValue
	planned        *tfprotov6.DynamicValue
	state          *tfprotov6.DynamicValue
	// stateJSON is state as Terraform stores it, for UpgradeResourceState.
	stateJSON []byte
}

// rpcContext carries the loggers tf6server puts in every RPC's context when Terraform runs the
// provider, at the level TF_LOG_SDK and TF_LOG_PROVIDER give: trace when they are unset, as in
// a provider Terraform starts (Terraform drops what it does not show, but the provider has
// formatted and written it by then).
func rpcContext() context.Context {
	ctx := tfsdklog.NewRootSDKLogger(context.Background(), tfsdklog.WithLevelFromEnv("TF_LOG_SDK"), tfsdklog.WithoutLocation())
	return tfsdklog.NewRootProviderLogger(ctx, tfsdklog.WithLevelFromEnv("TF_LOG_PROVIDER"), tfsdklog.WithoutLocation())
}

func newRPCBench(b *testing.B) *rpcBench {
	b.Helper()
	unsetVendorEnv(b)
	// Log lines are formatted as in production, then dropped rather than printed among the
	// results.
	hclog.DefaultOutput = io.Discard
	ctx := rpcContext()
	_, baseURL := testEmulator(b, testFixture(), emulator.Options{DisableRateLimits: true})
	p := newProtocolProvider(b)
	config := protocolProviderConfig(baseURL)
	config["easemob"].(map[string]any)["requests_per_second"] = 1e6
	resp, err := p.server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0", Config: dynamicValue(b, p.schema.Provider.ValueType(), config),
	})
	if err != nil {
		b.Fatal(err)
	}
	requireNoErrors(b, "ConfigureProvider", resp.Diagnostics)

	bench := &rpcBench{p: p, resourceType: p.schema.ResourceSchemas[benchType].ValueType()}
	bench.ids = make([]string, benchIDs)
	bench.shuffled = make([]string, benchIDs)
	for i := range bench.ids {
		bench.ids[i] = fmt.Sprintf("1%018d", i)
		// A fixed permutation: every ID once, in another order.
		bench.shuffled[i] = fmt.Sprintf("1%018d", (i*7919)%benchIDs)
	}
	arguments := map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": bench.ids}
	bench.config = dynamicValue(b, bench.resourceType, arguments)
	bench.proposedCreate = bench.config

	plan := bench.planCreate(b)
	bench.planned = plan.PlannedState
	applied := bench.apply(b)
	bench.state = applied.NewState

	stateValue, err := applied.NewState.Unmarshal(bench.resourceType)
	if err != nil {
		b.Fatal(err)
	}
	bench.stateJSON = stateJSON(b, stateValue)
	return bench
}

func (bench *rpcBench) planCreate(b *testing.B) *tfprotov6.PlanResourceChangeResponse {
	resp, err := bench.p.server.PlanResourceChange(rpcContext(), &tfprotov6.PlanResourceChangeRequest{
		TypeName:         benchType,
		PriorState:       objectValue(b, bench.resourceType, nil),
		ProposedNewState: bench.proposedCreate,
		Config:           bench.config,
	})
	if err != nil {
		b.Fatal(err)
	}
	requireNoErrors(b, "PlanResourceChange", resp.Diagnostics)
	return resp
}

func (bench *rpcBench) apply(b *testing.B) *tfprotov6.ApplyResourceChangeResponse {
	resp, err := bench.p.server.ApplyResourceChange(rpcContext(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName:     benchType,
		PriorState:   objectValue(b, bench.resourceType, nil),
		PlannedState: bench.planned,
		Config:       bench.config,
	})
	if err != nil {
		b.Fatal(err)
	}
	requireNoErrors(b, "ApplyResourceChange", resp.Diagnostics)
	return resp
}

// withArguments returns the recorded state with some arguments replaced, as Terraform's
// proposed new state for an update carries the configuration's arguments and the prior
// computed values.
func (bench *rpcBench) withArguments(b *testing.B, arguments map[string]any) *tfprotov6.DynamicValue {
	state, err := bench.state.Unmarshal(bench.resourceType)
	if err != nil {
		b.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		b.Fatal(err)
	}
	for name, v := range arguments {
		value, err := tfValue(bench.resourceType.(tftypes.Object).AttributeTypes[name], v)
		if err != nil {
			b.Fatal(err)
		}
		attrs[name] = value
	}
	dv, err := tfprotov6.NewDynamicValue(bench.resourceType, tftypes.NewValue(bench.resourceType, attrs))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// stateJSON renders an object of primitives, lists, sets and maps as Terraform writes it to
// terraform.tfstate.
func stateJSON(b *testing.B, state tftypes.Value) []byte {
	var plain func(v tftypes.Value) any
	plain = func(v tftypes.Value) any {
		if v.IsNull() {
			return nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			var s string
			_ = v.As(&s)
			return s
		case v.Type().Is(tftypes.Bool):
			var t bool
			_ = v.As(&t)
			return t
		case v.Type().Is(tftypes.Number):
			n := new(big.Float)
			_ = v.As(&n)
			i, _ := n.Int64()
			return i
		case v.Type().Is(tftypes.Map{}), v.Type().Is(tftypes.Object{}):
			var m map[string]tftypes.Value
			_ = v.As(&m)
			out := map[string]any{}
			for k, e := range m {
				out[k] = plain(e)
			}
			return out
		default:
			var l []tftypes.Value
			if err := v.As(&l); err != nil {
				b.Fatalf("no JSON form for %s: %v", v.Type(), err)
			}
			out := make([]any, len(l))
			for i, e := range l {
				out[i] = plain(e)
			}
			return out
		}
	}
	data, err := json.Marshal(plain(state))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkRPCValidateResourceConfig(b *testing.B) {
	bench := newRPCBench(b)
	req := &tfprotov6.ValidateResourceConfigRequest{TypeName: benchType, Config: bench.config}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := bench.p.server.ValidateResourceConfig(rpcContext(), req)
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
		}
	}
}

func BenchmarkRPCPlanResourceChangeCreate(b *testing.B) {
	bench := newRPCBench(b)
	b.ReportAllocs()
	for b.Loop() {
		bench.planCreate(b)
	}
}

// The same IDs in another order: the plan must keep the recorded state (no change).
func BenchmarkRPCPlanResourceChangeReordered(b *testing.B) {
	bench := newRPCBench(b)
	arguments := map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": bench.shuffled}
	req := &tfprotov6.PlanResourceChangeRequest{
		TypeName:         benchType,
		PriorState:       bench.state,
		ProposedNewState: bench.withArguments(b, arguments),
		Config:           dynamicValue(b, bench.resourceType, arguments),
	}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := bench.p.server.PlanResourceChange(rpcContext(), req)
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
		}
		if len(resp.RequiresReplace) != 0 {
			b.Fatalf("reordered IDs plan a replacement of %v", resp.RequiresReplace)
		}
	}
}

func BenchmarkRPCApplyResourceChangeCreate(b *testing.B) {
	bench := newRPCBench(b)
	b.ReportAllocs()
	for b.Loop() {
		bench.apply(b)
	}
}

func BenchmarkRPCReadResource(b *testing.B) {
	bench := newRPCBench(b)
	req := &tfprotov6.ReadResourceRequest{TypeName: benchType, CurrentState: bench.state}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := bench.p.server.ReadResource(rpcContext(), req)
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
		}
	}
}

func BenchmarkRPCUpgradeResourceState(b *testing.B) {
	bench := newRPCBench(b)
	for _, version := range []int64{0, 1} {
		b.Run(fmt.Sprintf("from_version_%d", version), func(b *testing.B) {
			req := &tfprotov6.UpgradeResourceStateRequest{
				TypeName: benchType, Version: version, RawState: &tfprotov6.RawState{JSON: bench.stateJSON},
			}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := bench.p.server.UpgradeResourceState(rpcContext(), req)
				if err != nil || hasError(resp.Diagnostics) {
					b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
				}
			}
		})
	}
}

func BenchmarkRPCValidateActionConfig(b *testing.B) {
	bench := newRPCBench(b)
	config := bench.p.actionConfig(benchType, map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": bench.ids})
	b.ReportAllocs()
	for b.Loop() {
		resp, err := bench.p.actions.ValidateActionConfig(rpcContext(), &tfprotov6.ValidateActionConfigRequest{ActionType: benchType, Config: config})
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
		}
	}
}

func BenchmarkRPCPlanAction(b *testing.B) {
	bench := newRPCBench(b)
	config := bench.p.actionConfig(benchType, map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": bench.ids})
	b.ReportAllocs()
	for b.Loop() {
		resp, err := bench.p.actions.PlanAction(rpcContext(), &tfprotov6.PlanActionRequest{ActionType: benchType, Config: config})
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatalf("%v%s", err, formatDiagnostics(resp.Diagnostics))
		}
	}
}

func BenchmarkRPCInvokeAction(b *testing.B) {
	bench := newRPCBench(b)
	config := bench.p.actionConfig(benchType, map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": bench.ids})
	b.ReportAllocs()
	for b.Loop() {
		stream, err := bench.p.actions.InvokeAction(rpcContext(), &tfprotov6.InvokeActionRequest{ActionType: benchType, Config: config})
		if err != nil {
			b.Fatal(err)
		}
		for event := range stream.Events {
			if done, ok := event.Type.(tfprotov6.CompletedInvokeActionEventType); ok && hasError(done.Diagnostics) {
				b.Fatal(formatDiagnostics(done.Diagnostics))
			}
		}
	}
}
