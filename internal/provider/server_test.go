package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// The provider's server answers an operation resource's RPCs as the framework's server does
// with the same adapter methods: the same plans, replacements, diagnostics and upgraded states.
// It only skips the framework's walks over every list entry.
func TestServer_answersAsTheFramework(t *testing.T) {
	unsetVendorEnv(t)
	_, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	ours := newProtocolProvider(t)
	ours.configure(baseURL)
	framework, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	theirs := &protocolProvider{t: t, server: framework, schema: ours.schema}
	theirs.configure(baseURL)

	const typeName = "imops_easemob_roaming_chat_delete"
	typ := ours.schema.ResourceSchemas[typeName].ValueType()
	arguments := func(ids ...string) map[string]any {
		return map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": ids}
	}
	recorded := map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"m1", "m2", "m3"},
		"notify": true, "id": "run-1", "executed_at": "2025-01-01T00:00:00Z", "vendor_calls": 1,
		"vendor_app": "Easemob app " + testEasemobOrgName + "/" + testEasemobAppName}
	// proposed is Terraform's proposed new state: the configuration, with the computed
	// attributes it leaves null taken from the prior state.
	proposed := func(config, prior map[string]any) map[string]any {
		out := map[string]any{}
		for name, v := range prior {
			out[name] = v
		}
		for name, v := range config {
			out[name] = v
		}
		return out
	}

	for _, tc := range []struct {
		name          string
		config, prior map[string]any
		destroy       bool
		// replace and warnings are what both must answer.
		replace  []string
		warnings int
	}{
		{name: "create with repeats", config: arguments("m2", "m1", "m2"), warnings: 1},
		{name: "same entries reordered", config: arguments("m3", "m1", "m2", "m1"), prior: recorded, warnings: 1},
		{name: "another entry", config: arguments("m1", "m2", "m4"), prior: recorded,
			replace: []string{`AttributeName("message_ids")`}},
		{name: "notify changed", config: map[string]any{"user_id": "alice", "peer_user_id": "bob",
			"message_ids": []string{"m1", "m2", "m3"}, "notify": false}, prior: recorded,
			replace: []string{`AttributeName("notify")`}},
		{name: "recorded against another app", config: arguments("m1", "m2", "m3"),
			prior:   proposed(map[string]any{"vendor_app": "Easemob app other/app"}, recorded),
			replace: []string{`AttributeName("vendor_app")`}},
		{name: "destroy", prior: recorded, destroy: true},
	} {
		t.Run("plan "+tc.name, func(t *testing.T) {
			req := &tfprotov6.PlanResourceChangeRequest{
				TypeName:         typeName,
				Config:           objectValue(t, typ, tc.config),
				PriorState:       objectValue(t, typ, tc.prior),
				ProposedNewState: objectValue(t, typ, proposed(tc.config, tc.prior)),
			}
			if tc.destroy {
				req.ProposedNewState = objectValue(t, typ, nil)
			}
			got, err := ours.server.PlanResourceChange(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := theirs.server.PlanResourceChange(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			requireSameValue(t, typ, got.PlannedState, want.PlannedState)
			if g, w := pathStrings(got.RequiresReplace), pathStrings(want.RequiresReplace); !slices.Equal(g, w) || !slices.Equal(g, tc.replace) {
				t.Errorf("replace %v, the framework %v, want %v", g, w, tc.replace)
			}
			if len(want.Diagnostics) != tc.warnings {
				t.Errorf("the framework gave %d diagnostics, want %d:%s", len(want.Diagnostics), tc.warnings, formatDiagnostics(want.Diagnostics))
			}
			if g, w := diagnosticStrings(got.Diagnostics), diagnosticStrings(want.Diagnostics); !slices.Equal(g, w) {
				t.Errorf("diagnostics %q, the framework %q", g, w)
			}
		})
	}

	for ids, errors := range map[string]int{"m1 m2": 0, "m1  m3": 1, "": 1, "a,b  c d\r": 3} {
		t.Run(fmt.Sprintf("validate %q", ids), func(t *testing.T) {
			entries := strings.Split(ids, " ")
			if ids == "" {
				entries = nil
			}
			req := &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName, Config: dynamicValue(t, typ, arguments(entries...))}
			got, err := ours.server.ValidateResourceConfig(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := theirs.server.ValidateResourceConfig(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := diagnosticStrings(got.Diagnostics), diagnosticStrings(want.Diagnostics); !slices.Equal(g, w) || len(g) != errors {
				t.Errorf("diagnostics %q, the framework %q, want %d errors", g, w, errors)
			}
		})
	}

	t.Run("upgrade from version 0", func(t *testing.T) {
		req := &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(
			`{"executed_at":"2025-01-01T00:00:00Z","id":"run-1","message_ids":["m1","m2"],"notify":true,"peer_user_id":"bob",` +
				`"triggers":null,"user_id":"alice","vendor_app":"Easemob app o/a","vendor_calls":1,"dropped_attribute":"x"}`)}}
		got, err := ours.server.UpgradeResourceState(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		want, err := theirs.server.UpgradeResourceState(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		requireNoErrors(t, "UpgradeResourceState", got.Diagnostics)
		requireSameValue(t, typ, got.UpgradedState, want.UpgradedState)
	})
}

// objectValue encodes an object, or a null one for a nil map.
func objectValue(t testing.TB, typ tftypes.Type, values map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	if values == nil {
		null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
		if err != nil {
			t.Fatal(err)
		}
		return &null
	}
	return dynamicValue(t, typ, values)
}

func requireSameValue(t *testing.T, typ tftypes.Type, got, want *tfprotov6.DynamicValue) {
	t.Helper()
	if got == nil || want == nil {
		if got != want {
			t.Fatalf("value %v, the framework %v", got, want)
		}
		return
	}
	g, err := got.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	w, err := want.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Equal(w) {
		t.Errorf("value\n%v\nthe framework\n%v", g, w)
	}
}

func pathStrings(paths []*tftypes.AttributePath) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p.String()
	}
	slices.Sort(out)
	return out
}

// diagnosticStrings renders diagnostics in a stable order (the framework validates attributes
// in map order).
func diagnosticStrings(diags []*tfprotov6.Diagnostic) []string {
	out := make([]string, len(diags))
	for i, d := range diags {
		out[i] = fmt.Sprintf("%s|%s|%s|%v", d.Severity, d.Summary, d.Detail, d.Attribute)
	}
	slices.Sort(out)
	return out
}

// Terraform's null, in either encoding, is recognised without decoding the value.
func TestIsNull(t *testing.T) {
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String}}
	null, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	value, _ := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"a": tftypes.NewValue(tftypes.String, "x")}))
	for _, tc := range []struct {
		value *tfprotov6.DynamicValue
		want  bool
	}{
		{nil, true}, {&null, true}, {&tfprotov6.DynamicValue{JSON: []byte(" null ")}, true},
		{&value, false}, {&tfprotov6.DynamicValue{JSON: []byte(`{"a":"x"}`)}, false},
	} {
		if got := isNull(tc.value); got != tc.want {
			t.Errorf("isNull(%+v) = %v, want %v", tc.value, got, tc.want)
		}
	}
}

// A state from a newer provider is refused with advice, not misread.
func TestServer_refusesNewerState(t *testing.T) {
	p := newProtocolProvider(t)
	resp, err := p.server.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "imops_easemob_roaming_clear", Version: resourceSchemaVersion + 1,
		RawState: &tfprotov6.RawState{JSON: []byte(`{"user_id":"alice"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !hasError(resp.Diagnostics) || !strings.Contains(resp.Diagnostics[0].Detail, "newer version of the provider") {
		t.Errorf("want an error about a newer provider, got:%s", formatDiagnostics(resp.Diagnostics))
	}
}

// StopProvider (Terraform interrupted) ends a run in flight: the vendor call is abandoned and
// the apply fails without recording anything.
func TestServer_stopProviderEndsApply(t *testing.T) {
	unsetVendorEnv(t)
	emu := emulator.New(testFixture(), emulator.Options{})
	arrived := make(chan struct{}, 1)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete {
			emu.Handler().ServeHTTP(w, r)
			return
		}
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done() // the vendor never answers; only the caller giving up ends this
	}))
	t.Cleanup(server.Close)
	p := newProtocolProvider(t)
	p.configure(server.URL)

	const typeName = "imops_easemob_roaming_chat_delete"
	typ := p.schema.ResourceSchemas[typeName].ValueType()
	arguments := map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"ab-1"}}
	plan, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, Config: dynamicValue(t, typ, arguments), PriorState: objectValue(t, typ, nil),
		ProposedNewState: dynamicValue(t, typ, arguments),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "PlanResourceChange", plan.Diagnostics)
	applied := make(chan *tfprotov6.ApplyResourceChangeResponse, 1)
	go func() {
		resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
			TypeName: typeName, Config: dynamicValue(t, typ, arguments), PriorState: objectValue(t, typ, nil),
			PlannedState: plan.PlannedState,
		})
		if err != nil {
			t.Error(err)
		}
		applied <- resp
	}()
	<-arrived
	if _, err := p.server.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	select {
	case resp := <-applied:
		if !hasError(resp.Diagnostics) {
			t.Errorf("a stopped apply succeeded:%s", formatDiagnostics(resp.Diagnostics))
		}
		if !isNull(resp.NewState) {
			t.Errorf("a stopped create recorded a state")
		}
	case <-time.After(time.Minute):
		t.Fatal("the apply went on after StopProvider")
	}
}

// When Terraform stops reading an action's events, the run is ended and the stream returns
// rather than leaving Invoke blocked on a progress line nobody takes.
func TestServer_invokeStreamClosedEarly(t *testing.T) {
	unsetVendorEnv(t)
	fixture := testFixture()
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("bulk-%03d", i)
	}
	_, baseURL := testEmulator(t, fixture, emulator.Options{DisableRateLimits: true})
	p := newProtocolProvider(t)
	p.configure(baseURL)
	const typeName = "imops_easemob_roaming_chat_delete"
	stream, err := p.actions.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ActionType: typeName,
		Config: p.actionConfig(typeName, map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": ids})})
	if err != nil {
		t.Fatal(err)
	}
	returned := make(chan int, 1)
	go func() {
		events := 0
		for range stream.Events {
			events++
			break // Terraform went away after the first line
		}
		returned <- events
	}()
	select {
	case events := <-returned:
		if events != 1 {
			t.Errorf("%d events before stopping, want 1", events)
		}
	case <-time.After(time.Minute):
		t.Fatal("the stream did not return after its reader stopped")
	}
}
