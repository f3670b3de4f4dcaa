package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// Terraform 1.11 cannot run actions, so these tests speak plugin protocol 6 to the provider
// server directly, in the order Terraform ≥ 1.14 does: GetProviderSchema, ConfigureProvider,
// ValidateActionConfig, PlanAction, InvokeAction.

// resourceOnlyAttributes are the resource surface's own attributes, absent from actions.
var resourceOnlyAttributes = []string{"triggers", "id", "executed_at", "vendor_calls", "vendor_app"}

// protocolProvider is one provider server, as one Terraform run would see it.
type protocolProvider struct {
	t      testing.TB
	server tfprotov6.ProviderServer
	// actions is the same server; the action RPCs sit outside ProviderServer until
	// terraform-plugin-go folds them in, and tf6server finds them by this assertion too.
	actions tfprotov6.ActionServer
	schema  *tfprotov6.GetProviderSchemaResponse
}

func newProtocolProvider(t testing.TB) *protocolProvider {
	t.Helper()
	server, err := NewServer("test")()
	if err != nil {
		t.Fatalf("starting the provider server: %v", err)
	}
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatalf("the provider server (%T) does not serve actions", server)
	}
	schema, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("GetProviderSchema: %v", err)
	}
	requireNoErrors(t, "GetProviderSchema", schema.Diagnostics)
	return &protocolProvider{t: t, server: server, actions: actions, schema: schema}
}

// configure sends ConfigureProvider with every vendor pointed at the emulator.
func (p *protocolProvider) configure(baseURL string) {
	p.t.Helper()
	config := dynamicValue(p.t, p.schema.Provider.ValueType(), protocolProviderConfig(baseURL))
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: config})
	if err != nil {
		p.t.Fatalf("ConfigureProvider: %v", err)
	}
	requireNoErrors(p.t, "ConfigureProvider", resp.Diagnostics)
}

// actionConfig encodes an action's config block against the action's own schema.
func (p *protocolProvider) actionConfig(typeName string, values map[string]any) *tfprotov6.DynamicValue {
	p.t.Helper()
	actionSchema, ok := p.schema.ActionSchemas[typeName]
	if !ok {
		p.t.Fatalf("no action schema for %s", typeName)
	}
	return dynamicValue(p.t, actionSchema.Schema.ValueType(), values)
}

func (p *protocolProvider) validate(typeName string, config *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.actions.ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{ActionType: typeName, Config: config})
	if err != nil {
		p.t.Fatalf("ValidateActionConfig: %v", err)
	}
	return resp.Diagnostics
}

// invocation is everything one InvokeAction streamed back.
type invocation struct {
	progress []string
	// diagnostics are those of the completed event, which must be the stream's last.
	diagnostics []*tfprotov6.Diagnostic
}

// run takes an action through Terraform's sequence and stops where Terraform would: at an
// error from validation or planning, nothing is invoked.
func (p *protocolProvider) run(typeName string, config *tfprotov6.DynamicValue) invocation {
	p.t.Helper()
	ctx := context.Background()
	if diags := p.validate(typeName, config); hasError(diags) {
		return invocation{diagnostics: diags}
	}
	plan, err := p.actions.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: typeName, Config: config})
	if err != nil {
		p.t.Fatalf("PlanAction: %v", err)
	}
	if hasError(plan.Diagnostics) {
		return invocation{diagnostics: plan.Diagnostics}
	}
	stream, err := p.actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: typeName, Config: config})
	if err != nil {
		p.t.Fatalf("InvokeAction: %v", err)
	}
	var (
		result    invocation
		completed int
	)
	for event := range stream.Events {
		if completed > 0 {
			p.t.Fatalf("event %T after the completed event", event.Type)
		}
		switch e := event.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			result.progress = append(result.progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			result.diagnostics = e.Diagnostics
			completed++
		default:
			p.t.Fatalf("unexpected event type %T", e)
		}
	}
	if completed != 1 {
		p.t.Fatalf("the stream ended with %d completed events, want 1", completed)
	}
	return result
}

// protocolProviderConfig is providerConfig as a value: every vendor against the emulator.
func protocolProviderConfig(baseURL string) map[string]any {
	return map[string]any{
		"max_retries": 2,
		"rongcloud": map[string]any{
			"app_key": testRongCloudAppKey, "app_secret": testRongCloudAppSecret,
			"api_urls": []string{baseURL + "/rongcloud"},
		},
		"easemob": map[string]any{
			"api_url": baseURL + "/easemob", "org_name": testEasemobOrgName, "app_name": testEasemobAppName,
			"client_id": testEasemobClientID, "client_secret": testEasemobClientSecret,
		},
		"tencentim": map[string]any{
			"sdk_app_id": testTencentIMSDKAppID, "identifier": testTencentIMIdentifier, "secret_key": testTencentIMSecretKey,
			"api_urls": []string{baseURL + "/tencentim"},
		},
	}
}

// dynamicValue encodes values as Terraform would send a configuration of type typ.
func dynamicValue(t testing.TB, typ tftypes.Type, values map[string]any) *tfprotov6.DynamicValue {
	t.Helper()
	value, err := tfValue(typ, values)
	if err != nil {
		t.Fatalf("building a %s value: %v", typ, err)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, value)
	if err != nil {
		t.Fatalf("encoding %s: %v", value, err)
	}
	return &dv
}

// tfValue converts plain Go values to a value of type typ: a map for an object (or a
// block), where a missing attribute is null; a slice for a list or set; a string, bool or
// integer for a primitive. A name the type does not know is an error, so a typo in a test
// table fails loudly instead of testing a null.
func tfValue(typ tftypes.Type, v any) (tftypes.Value, error) {
	if v == nil {
		return tftypes.NewValue(typ, nil), nil
	}
	switch typed := typ.(type) {
	case tftypes.Object:
		fields, ok := v.(map[string]any)
		if !ok {
			return tftypes.Value{}, fmt.Errorf("want map[string]any for an object, got %T", v)
		}
		for name := range fields {
			if _, ok := typed.AttributeTypes[name]; !ok {
				return tftypes.Value{}, fmt.Errorf("no attribute %q in %s", name, typ)
			}
		}
		attrs := map[string]tftypes.Value{}
		for name, attrType := range typed.AttributeTypes {
			attr, err := tfValue(attrType, fields[name])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("%s: %w", name, err)
			}
			attrs[name] = attr
		}
		return tftypes.NewValue(typed, attrs), nil
	case tftypes.List, tftypes.Set:
		var elemType tftypes.Type
		if list, ok := typed.(tftypes.List); ok {
			elemType = list.ElementType
		} else {
			elemType = typed.(tftypes.Set).ElementType
		}
		var items []any
		switch raw := v.(type) {
		case []string:
			for _, s := range raw {
				items = append(items, s)
			}
		case []any:
			items = raw
		default:
			return tftypes.Value{}, fmt.Errorf("want a slice for %s, got %T", typ, v)
		}
		elems := make([]tftypes.Value, 0, len(items))
		for i, item := range items {
			elem, err := tfValue(elemType, item)
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("[%d]: %w", i, err)
			}
			elems = append(elems, elem)
		}
		return tftypes.NewValue(typ, elems), nil
	}
	if typ.Is(tftypes.Number) {
		switch n := v.(type) {
		case int:
			v = int64(n)
		case uint64:
			v = int64(n)
		}
	}
	if err := tftypes.ValidateValue(typ, v); err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.NewValue(typ, v), nil
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

func requireNoErrors(t testing.TB, call string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	if hasError(diags) {
		t.Fatalf("%s: %s", call, formatDiagnostics(diags))
	}
}

func formatDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  [%s] %s: %s", d.Severity, d.Summary, d.Detail)
		if d.Attribute != nil {
			fmt.Fprintf(&b, " (at %s)", d.Attribute)
		}
	}
	return b.String()
}

// unsetVendorEnv keeps a developer's own IMOPS_* settings out of a test, which then sees only
// the configuration it sends.
func unsetVendorEnv(t testing.TB) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "IMOPS_") {
			t.Setenv(name, "")
		}
	}
}

// Every operation is also an action with the resource's arguments: same names, types,
// descriptions and required/optional split, and nothing computed or sensitive.
func TestActionSchemas_matchResources(t *testing.T) {
	p := newProtocolProvider(t)
	if got, want := len(p.schema.ActionSchemas), len(operations()); got != want {
		t.Errorf("%d action schemas, want one per operation (%d)", got, want)
	}
	for _, op := range operations() {
		typeName := op.TypeName()
		resourceSchema, ok := p.schema.ResourceSchemas[typeName]
		if !ok {
			t.Errorf("no resource schema for %s", typeName)
			continue
		}
		actionSchema, ok := p.schema.ActionSchemas[typeName]
		if !ok {
			t.Errorf("no action schema for %s", typeName)
			continue
		}
		if actionSchema.Schema.Block.Description != resourceSchema.Block.Description || actionSchema.Schema.Block.Description == "" {
			t.Errorf("%s: action description differs from the resource's or is empty", typeName)
		}
		if n := len(actionSchema.Schema.Block.BlockTypes); n != 0 {
			t.Errorf("%s: action has %d nested blocks, want none", typeName, n)
		}
		resourceAttrs := map[string]*tfprotov6.SchemaAttribute{}
		var wantNames []string
		for _, attr := range resourceSchema.Block.Attributes {
			resourceAttrs[attr.Name] = attr
			if !slices.Contains(resourceOnlyAttributes, attr.Name) {
				wantNames = append(wantNames, attr.Name)
			}
		}
		var gotNames []string
		for _, attr := range actionSchema.Schema.Block.Attributes {
			gotNames = append(gotNames, attr.Name)
			res, ok := resourceAttrs[attr.Name]
			if !ok {
				continue
			}
			where := typeName + "." + attr.Name
			if !attr.Type.Equal(res.Type) {
				t.Errorf("%s: action type %s, resource type %s", where, attr.Type, res.Type)
			}
			if attr.Description != res.Description || attr.DescriptionKind != tfprotov6.StringKindMarkdown {
				t.Errorf("%s: description differs from the resource's or is not Markdown", where)
			}
			if attr.Required != res.Required || attr.Optional != res.Optional {
				t.Errorf("%s: required/optional = %v/%v, resource %v/%v", where, attr.Required, attr.Optional, res.Required, res.Optional)
			}
			if attr.Computed || attr.Sensitive {
				t.Errorf("%s: computed=%v sensitive=%v; action arguments are plain inputs", where, attr.Computed, attr.Sensitive)
			}
		}
		sort.Strings(gotNames)
		sort.Strings(wantNames)
		if !slices.Equal(gotNames, wantNames) {
			t.Errorf("%s: action attributes %v, want the resource's arguments %v", typeName, gotNames, wantNames)
		}
	}
}

// actionRow is one invocation against a fresh emulator and what must follow from it. Adding
// an operation's action coverage is one more row.
type actionRow struct {
	name     string
	typeName string
	config   map[string]any
	// fixture changes testFixture() before the emulator starts.
	fixture func(*emulator.Fixture)
	// wantLastProgress must be contained in the last progress line of a successful run, and
	// at least minProgress lines must arrive (the "done" line counts).
	wantLastProgress string
	minProgress      int
	// wantError, when set, must match the detail of the run's error diagnostic.
	wantError *regexp.Regexp
	// check inspects the store after the run, failed or not.
	check func(t *testing.T, before, after emulator.Snapshot)
	// requests, when set, inspects what the vendor received; defaults the action schema
	// cannot hold show up here.
	requests func(t *testing.T, reqs []emulator.RequestRecord)
}

func TestActionInvoke_emulator(t *testing.T) {
	bulkKeys := make([]string, 250)
	for i := range bulkKeys {
		bulkKeys[i] = fmt.Sprintf("k%03d", i)
	}
	rows := []actionRow{
		{
			name:     "rongcloud extension delete, 250 keys in 3 calls",
			typeName: "imops_rongcloud_extension_delete",
			config: map[string]any{
				"message_uid": "MSG-PRIVATE-1", "user_id": "carol", "conversation_type": "private",
				"target_id": "bob", "extra_keys": bulkKeys,
			},
			fixture: func(f *emulator.Fixture) {
				extensions := map[string]string{"unrelated": "stay"}
				for _, key := range bulkKeys {
					extensions[key] = "v"
				}
				f.RongCloud.Messages[1].Extensions = extensions
			},
			wantLastProgress: "done, 3 calls (250 of 250 extension keys)",
			minProgress:      2,
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if got := after.RongCloud.Messages["MSG-PRIVATE-1"].Extensions; len(got) != 1 || got["unrelated"] != "stay" {
					t.Errorf("extensions left = %d (%v), want only unrelated", len(got), got)
				}
				if got := after.RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 3 {
					t.Errorf("untargeted message changed: %v", got)
				}
			},
			requests: func(t *testing.T, reqs []emulator.RequestRecord) {
				if len(reqs) != 3 {
					t.Fatalf("%d requests, want 3 calls of at most 100 keys", len(reqs))
				}
				for _, req := range reqs {
					if !strings.Contains(req.Body, "isSyncSender=0") {
						t.Errorf("sync_sender left out should send its default isSyncSender=0: %s", req.Body)
					}
				}
			},
		},
		{
			name:     "rongcloud extension delete, wrong target",
			typeName: "imops_rongcloud_extension_delete",
			config: map[string]any{
				"message_uid": "MSG-GROUP-1", "user_id": "alice", "conversation_type": "group",
				"target_id": "some-other-room", "extra_keys": []string{"leak1"},
			},
			wantError: regexp.MustCompile(`(?s)code 1002.*Nothing was recorded`),
			check: func(t *testing.T, before, after emulator.Snapshot) {
				if got := after.RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != len(before.RongCloud.Messages["MSG-GROUP-1"].Extensions) {
					t.Errorf("a refused call changed the message: %v", got)
				}
			},
		},
		{
			name:     "rongcloud broadcast recall",
			typeName: "imops_rongcloud_broadcast_recall",
			config: map[string]any{
				"from_user_id": "system", "message_uid": "BCST-1", "sent_time": 1763856000000, "is_delete": true,
			},
			wantLastProgress: "RongCloud: done, 1 call",
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if b := after.RongCloud.Broadcasts["BCST-1"]; !b.Recalled || !b.Deleted {
					t.Errorf("BCST-1 = %+v, want recalled and deleted", b)
				}
				if b := after.RongCloud.Broadcasts["BCST-2"]; b.Recalled {
					t.Errorf("untargeted broadcast BCST-2 was recalled")
				}
			},
		},
		{
			name:      "rongcloud broadcast recall, wrong sender",
			typeName:  "imops_rongcloud_broadcast_recall",
			config:    map[string]any{"from_user_id": "mallory", "message_uid": "BCST-2"},
			wantError: regexp.MustCompile(`code 1002`),
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if after.RongCloud.Broadcasts["BCST-2"].Recalled {
					t.Errorf("BCST-2 recalled on behalf of the wrong sender")
				}
			},
		},
		{
			name:             "easemob roaming clear",
			typeName:         "imops_easemob_roaming_clear",
			config:           map[string]any{"user_id": "alice"},
			wantLastProgress: "Easemob: done, 1 call",
			check: func(t *testing.T, before, after emulator.Snapshot) {
				if n := after.Easemob.MessageCount("alice"); n != 0 {
					t.Errorf("alice still sees %d messages", n)
				}
				if got, want := after.Easemob.MessageCount("bob"), before.Easemob.MessageCount("bob"); got != want {
					t.Errorf("bob sees %d messages, had %d; only alice's copy should go", got, want)
				}
			},
		},
		{
			name:     "easemob roaming chat delete, notify by default",
			typeName: "imops_easemob_roaming_chat_delete",
			config:   map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"ab-1", "ab-4"}},
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if got := after.Easemob.ChatView("alice", "bob"); !slices.Equal(got, []string{"ab-2", "ab-3"}) {
					t.Errorf("alice's chat with bob = %v, want [ab-2 ab-3]", got)
				}
				if got := after.Easemob.ChatView("bob", "alice"); len(got) != 4 {
					t.Errorf("bob's copy changed: %v", got)
				}
			},
			requests: func(t *testing.T, reqs []emulator.RequestRecord) {
				deletes := slices.DeleteFunc(reqs, func(r emulator.RequestRecord) bool { return r.Method != "DELETE" })
				if len(deletes) != 1 || !strings.Contains(deletes[0].Query, "isNotify=true") {
					t.Errorf("want one DELETE with the default isNotify=true, got %+v", deletes)
				}
			},
		},
		{
			name:             "tencent delete by sender",
			typeName:         "imops_tencentim_group_message_delete_by_sender",
			config:           map[string]any{"group_id": testTencentIMPublic, "sender_account": "spammer"},
			wantLastProgress: "done, 1 call",
			check: func(t *testing.T, _, after emulator.Snapshot) {
				if got := after.TencentIM.Recalled(testTencentIMPublic); !slices.Equal(got, []uint64{2, 4}) {
					t.Errorf("recalled seqs = %v, want [2 4]", got)
				}
				if got := after.TencentIM.Recalled(testTencentIMCommunity); len(got) != 0 {
					t.Errorf("another group lost messages: %v", got)
				}
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			unsetVendorEnv(t)
			fixture := testFixture()
			if row.fixture != nil {
				row.fixture(&fixture)
			}
			emu, baseURL := testEmulator(t, fixture, emulator.Options{})
			before := emu.Snapshot()
			p := newProtocolProvider(t)
			p.configure(baseURL)
			result := p.run(row.typeName, p.actionConfig(row.typeName, row.config))

			if row.wantError != nil {
				if len(result.diagnostics) != 1 || !hasError(result.diagnostics) {
					t.Fatalf("want one error diagnostic, got:%s", formatDiagnostics(result.diagnostics))
				}
				d := result.diagnostics[0]
				if d.Summary != "Error running "+row.typeName || !row.wantError.MatchString(d.Detail) {
					t.Errorf("error diagnostic %q / %q, want summary naming the type and detail matching %s", d.Summary, d.Detail, row.wantError)
				}
			} else {
				requireNoErrors(t, "InvokeAction", result.diagnostics)
				if len(result.progress) == 0 || len(result.progress) < row.minProgress {
					t.Fatalf("%d progress events, want at least max(1, %d): %q", len(result.progress), row.minProgress, result.progress)
				}
				if last := result.progress[len(result.progress)-1]; !strings.Contains(last, row.wantLastProgress) || !strings.Contains(last, ": done, ") {
					t.Errorf("last progress event %q, want a done line containing %q (all: %q)", last, row.wantLastProgress, result.progress)
				}
			}
			if row.check != nil {
				row.check(t, before, emu.Snapshot())
			}
			if row.requests != nil {
				row.requests(t, emu.Requests())
			}
		})
	}
}

// A bad config is refused at validation, on the attribute, and nothing reaches the vendor.
func TestActionValidate_rejectsBeforeAnyCall(t *testing.T) {
	rows := []struct {
		typeName  string
		config    map[string]any
		attribute string
		want      *regexp.Regexp
	}{
		{"imops_rongcloud_extension_delete", map[string]any{
			"message_uid": "M", "user_id": "u", "conversation_type": "group", "target_id": "t", "extra_keys": []string{},
		}, "extra_keys", regexp.MustCompile(`must list at least one entry`)},
		{"imops_rongcloud_extension_delete", map[string]any{
			"message_uid": "M", "user_id": "u", "conversation_type": "system", "target_id": "t", "extra_keys": []string{"k"},
		}, "conversation_type", regexp.MustCompile(`value must be one of`)},
		{"imops_rongcloud_extension_delete", map[string]any{
			"message_uid": "", "user_id": "u", "conversation_type": "private", "target_id": "t", "extra_keys": []string{"k"},
		}, "message_uid", regexp.MustCompile(`length must be between 1 and 64`)},
		{"imops_rongcloud_broadcast_recall", map[string]any{
			"from_user_id": "system", "message_uid": "BCST-1", "sent_time": 0,
		}, "sent_time", regexp.MustCompile(`at least 1`)},
		{"imops_easemob_roaming_chat_clear", map[string]any{
			"user_id": "alice", "peer_user_id": "bob", "before": "yesterday",
		}, "before", regexp.MustCompile(`.`)},
		{"imops_tencentim_group_message_delete_by_sender", map[string]any{
			"group_id": "", "sender_account": "spammer",
		}, "group_id", regexp.MustCompile(`.`)},
	}
	unsetVendorEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	p := newProtocolProvider(t)
	p.configure(baseURL)
	for _, row := range rows {
		t.Run(row.typeName+"."+row.attribute, func(t *testing.T) {
			config := p.actionConfig(row.typeName, row.config)
			diags := p.validate(row.typeName, config)
			if !hasError(diags) {
				t.Fatalf("ValidateActionConfig accepted the config")
			}
			wantPath := tftypes.NewAttributePath().WithAttributeName(row.attribute)
			if !slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool {
				return d.Severity == tfprotov6.DiagnosticSeverityError && d.Attribute != nil && d.Attribute.Equal(wantPath) && row.want.MatchString(d.Detail)
			}) {
				t.Errorf("no error on %s matching %s; got:%s", row.attribute, row.want, formatDiagnostics(diags))
			}
			if result := p.run(row.typeName, config); len(result.progress) != 0 {
				t.Errorf("an invalid config was invoked: %q", result.progress)
			}
		})
	}
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("invalid configs reached the vendors: %+v", reqs)
	}
}

// An action of a vendor the provider has no credentials for fails naming the vendor and the
// missing settings, without a request.
func TestActionInvoke_vendorNotConfigured(t *testing.T) {
	unsetVendorEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	p := newProtocolProvider(t)
	config := protocolProviderConfig(baseURL)
	delete(config, "rongcloud")
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0", Config: dynamicValue(t, p.schema.Provider.ValueType(), config),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	actionConfig := p.actionConfig("imops_rongcloud_broadcast_recall", map[string]any{"from_user_id": "system", "message_uid": "BCST-1"})
	plan, err := p.actions.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: "imops_rongcloud_broadcast_recall", Config: actionConfig})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Diagnostics) != 1 || plan.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
		!strings.Contains(plan.Diagnostics[0].Detail, "app_secret") {
		t.Errorf("planning should warn that RongCloud is not configured, got:%s", formatDiagnostics(plan.Diagnostics))
	}
	result := p.run("imops_rongcloud_broadcast_recall", actionConfig)
	if !hasError(result.diagnostics) || !strings.Contains(result.diagnostics[0].Detail, "RongCloud is not configured") ||
		!strings.Contains(result.diagnostics[0].Detail, "app_key") {
		t.Errorf("want an error naming RongCloud and app_key, got:%s", formatDiagnostics(result.diagnostics))
	}
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("unconfigured vendor was called: %+v", reqs)
	}
}
