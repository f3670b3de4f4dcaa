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
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// These tests speak plugin protocol 6 to the provider server directly, in the order Terraform
// ≥ 1.14 does (GetProviderSchema, ConfigureProvider, ValidateActionConfig, PlanAction,
// InvokeAction), for what the command line does not show exactly: how the schemas compare and
// which attribute path each diagnostic carries. They run on every CLI of the test matrix; the
// actions themselves are tested through the real Terraform in action_cli_test.go.

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

// The registry docs are generated from the schemas: the provider, every resource and every
// action, and each of their attributes and blocks, carry a Markdown description.
func TestSchemas_documented(t *testing.T) {
	p := newProtocolProvider(t)
	var check func(what string, block *tfprotov6.SchemaBlock)
	check = func(what string, block *tfprotov6.SchemaBlock) {
		if block.Description == "" || block.DescriptionKind != tfprotov6.StringKindMarkdown {
			t.Errorf("%s: no Markdown description", what)
		}
		for _, attr := range block.Attributes {
			if attr.Description == "" || attr.DescriptionKind != tfprotov6.StringKindMarkdown {
				t.Errorf("%s.%s: no Markdown description", what, attr.Name)
			}
		}
		for _, nested := range block.BlockTypes {
			check(what+"."+nested.TypeName, nested.Block)
		}
	}
	check("provider", p.schema.Provider.Block)
	for typeName, resourceSchema := range p.schema.ResourceSchemas {
		check("resource "+typeName, resourceSchema.Block)
	}
	for typeName, actionSchema := range p.schema.ActionSchemas {
		check("action "+typeName, actionSchema.Schema.Block)
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

// Progress reaches the CLI output of an action and the INFO log of a resource: it names no
// user, group or message ID (personal data), for every operation, whatever its outcome. The
// CLI tests on Terraform >= 1.14 check the same lines as users see them; this runs everywhere.
func TestActionProgress_namesNoID(t *testing.T) {
	keys := make([]string, 250)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%03d", i)
	}
	configs := map[string]map[string]any{
		"imops_rongcloud_extension_delete": {"message_uid": "MSG-PRIVATE-1", "user_id": "carol",
			"conversation_type": "private", "target_id": "bob", "extra_keys": keys},
		"imops_rongcloud_broadcast_recall":               {"from_user_id": "system", "message_uid": "BCST-1", "sent_time": 1763856000000},
		"imops_easemob_roaming_chat_delete":              {"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"ab-1", "ab-4"}},
		"imops_easemob_roaming_group_delete":             {"user_id": "alice", "group_id": "g1", "message_ids": []string{"g1-1"}},
		"imops_easemob_roaming_clear":                    {"user_id": "alice"},
		"imops_easemob_roaming_chat_clear":               {"user_id": "alice", "peer_user_id": "bob", "before": "2030-01-01T00:00:00Z"},
		"imops_easemob_roaming_group_clear":              {"user_id": "alice", "group_id": "room-1", "before": "2030-01-01T00:00:00Z"},
		"imops_tencentim_group_message_delete_by_sender": {"group_id": testTencentIMPublic, "sender_account": "spammer"},
	}
	for _, op := range operations() {
		config, ok := configs[op.TypeName()]
		if !ok {
			t.Errorf("%s has no configuration in this test", op.TypeName())
			continue
		}
		t.Run(op.TypeName(), func(t *testing.T) {
			unsetVendorEnv(t)
			_, baseURL := testEmulator(t, testFixture(), emulator.Options{})
			p := newProtocolProvider(t)
			p.configure(baseURL)
			result := p.run(op.TypeName(), p.actionConfig(op.TypeName(), config))
			requireNoErrors(t, "InvokeAction", result.diagnostics)
			if len(result.progress) == 0 {
				t.Fatal("no progress line")
			}
			for _, id := range configIDs(config) {
				for _, line := range result.progress {
					if strings.Contains(line, id) {
						t.Errorf("progress line %q names %q", line, id)
					}
				}
			}
		})
	}
}

// configIDs lists the ID-like values of an action config: every string, and every element of
// a list of strings, other than enumerations and timestamps.
func configIDs(config map[string]any) []string {
	var ids []string
	for name, value := range config {
		switch v := value.(type) {
		case string:
			if name != "conversation_type" && name != "before" {
				ids = append(ids, v)
			}
		case []string:
			ids = append(ids, v...)
		}
	}
	return ids
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
		}, "message_uid", regexp.MustCompile(`message_uid is empty`)},
		{"imops_rongcloud_broadcast_recall", map[string]any{
			"from_user_id": "system", "message_uid": "BCST-1", "sent_time": 0,
		}, "sent_time", regexp.MustCompile(`at least 1`)},
		{"imops_easemob_roaming_chat_clear", map[string]any{
			"user_id": "alice", "peer_user_id": "bob", "before": "yesterday",
		}, "before", regexp.MustCompile(`.`)},
		{"imops_tencentim_group_message_delete_by_sender", map[string]any{
			"group_id": "", "sender_account": "spammer",
		}, "group_id", regexp.MustCompile(`.`)},
		// Values no vendor can mean, refused on the action surface as on the resource.
		{"imops_easemob_roaming_clear", map[string]any{"user_id": "bob/../alice"},
			"user_id", regexp.MustCompile(`^user_id holds '/' at byte 4\. Easemob user IDs are`)},
		{"imops_easemob_roaming_clear", map[string]any{"user_id": "Bob"},
			"user_id", regexp.MustCompile(`write it in lowercase instead`)},
		{"imops_easemob_roaming_chat_delete", map[string]any{"user_id": "alice", "peer_user_id": "b ob", "message_ids": []string{"ab-1"}},
			"peer_user_id", regexp.MustCompile(`^peer_user_id holds a space at byte 2`)},
		{"imops_easemob_roaming_chat_clear", map[string]any{"user_id": "alice", "peer_user_id": "bob#x", "before": "2024-01-01T00:00:00Z"},
			"peer_user_id", regexp.MustCompile(`holds '#'`)},
		{"imops_easemob_roaming_group_delete", map[string]any{"user_id": "..", "group_id": "g1", "message_ids": []string{"g1-1"}},
			"user_id", regexp.MustCompile(`path step`)},
		{"imops_easemob_roaming_group_clear", map[string]any{"user_id": "bj\u00f6rn", "group_id": "g1", "before": "2024-01-01T00:00:00Z"},
			"user_id", regexp.MustCompile(`non-ASCII`)},
		{"imops_rongcloud_broadcast_recall", map[string]any{"from_user_id": "system", "message_uid": "BCST-1",
			"sent_time": time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()},
			"sent_time", regexp.MustCompile(`in the future`)},
		{"imops_rongcloud_broadcast_recall", map[string]any{"from_user_id": "system", "message_uid": "BCST-1", "sent_time": 1763856000},
			"sent_time", regexp.MustCompile(`three more digits`)},
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
