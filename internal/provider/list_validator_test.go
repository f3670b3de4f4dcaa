package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func validateMessageIDs(entries []attr.Value) diag.Diagnostics {
	v := easemobMessageIDsArg("chat").ListValidators[0]
	var resp validator.ListResponse
	v.ValidateList(context.Background(), validator.ListRequest{
		Path: path.Root("message_ids"), ConfigValue: types.ListValueMust(types.StringType, entries),
	}, &resp)
	return resp.Diagnostics
}

// In a list of 100,000 IDs with 8 bad ones, the first five are named by position, never by
// value, and one more error gives the total.
func TestListEntries_namesFirstBadEntriesByPosition(t *testing.T) {
	entries := make([]attr.Value, 100_000)
	bad := map[int]bool{}
	for i := range entries {
		id := fmt.Sprintf("1235807318835%06d", i)
		if i%10_000 == 9 {
			id += ",secret-neighbour" // two IDs in one entry
			bad[i] = true
		}
		entries[i] = types.StringValue(id)
	}
	diags := validateMessageIDs(entries)
	if diags.ErrorsCount() != maxReportedEntries+1 {
		t.Fatalf("%d errors, want %d: %v", diags.ErrorsCount(), maxReportedEntries+1, diags)
	}
	for i, d := range diags[:maxReportedEntries] {
		index := 9 + i*10_000
		want := fmt.Sprintf("Entry %s of message_ids must be one message ID, without commas or white space.", thousands(index+1))
		withPath, ok := d.(diag.DiagnosticWithPath)
		if d.Detail() != want || !ok || !withPath.Path().Equal(path.Root("message_ids").AtListIndex(index)) {
			t.Errorf("error %d: %q at %v, want %q at message_ids[%d]", i, d.Detail(), withPath.Path(), want, index)
		}
	}
	if last := diags[maxReportedEntries].Detail(); !strings.Contains(last, "10 entries of message_ids are invalid") {
		t.Errorf("the last error %q does not give the total of 10", last)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail(), "secret-neighbour") || strings.Contains(d.Detail(), "1235807318835") {
			t.Errorf("an error names an ID: %q", d.Detail())
		}
	}
	if len(bad) != 10 {
		t.Fatalf("the test list holds %d bad entries, want 10", len(bad))
	}
}

func TestListEntries_rules(t *testing.T) {
	extraKeys := listEntries(entryNotEmpty, entryTidy)
	for _, tc := range []struct {
		name    string
		entries []attr.Value
		want    string // "" for valid
	}{
		{"fine", []attr.Value{types.StringValue("a"), types.StringValue("b c")}, ""},
		{"empty list", []attr.Value{}, "must list at least one entry"},
		{"empty entry", []attr.Value{types.StringValue("a"), types.StringValue("")}, "Entry 2 of extra_keys must not be empty."},
		{"leading space", []attr.Value{types.StringValue(" a")}, "Entry 1 of extra_keys must not start or end with white space"},
		{"carriage return", []attr.Value{types.StringValue("a\r")}, "Entry 1 of extra_keys must not start or end"},
		{"tab inside", []attr.Value{types.StringValue("a\tb")}, "contain control characters"},
		{"null entry", []attr.Value{types.StringNull()}, "Entry 1 of extra_keys must not be null."},
		{"unknown entry, checked later", []attr.Value{types.StringUnknown(), types.StringValue("a")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp validator.ListResponse
			extraKeys.ValidateList(context.Background(), validator.ListRequest{
				Path: path.Root("extra_keys"), ConfigValue: types.ListValueMust(types.StringType, tc.entries),
			}, &resp)
			switch {
			case tc.want == "" && resp.Diagnostics.HasError():
				t.Errorf("refused: %v", resp.Diagnostics)
			case tc.want != "" && (resp.Diagnostics.ErrorsCount() != 1 || !strings.Contains(resp.Diagnostics[0].Detail(), tc.want)):
				t.Errorf("got %v, want one error containing %q", resp.Diagnostics, tc.want)
			}
		})
	}
	for _, value := range []types.List{types.ListNull(types.StringType), types.ListUnknown(types.StringType)} {
		var resp validator.ListResponse
		extraKeys.ValidateList(context.Background(), validator.ListRequest{Path: path.Root("extra_keys"), ConfigValue: value}, &resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v refused before it is known: %v", value, resp.Diagnostics)
		}
	}
}

func TestOperationResourcePlan(t *testing.T) {
	r := &operationResource{op: easemobRoamingChatDelete()}
	typ := r.stateType()
	object := func(values map[string]any) tftypes.Value {
		if values == nil {
			return tftypes.NewValue(typ, nil)
		}
		v, err := tfValue(typ, values)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	config := func(ids ...string) map[string]any {
		return map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": ids}
	}
	recorded := map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"m1", "m2", "m3"},
		"notify": true, "id": "run-1", "executed_at": "2025-01-01T00:00:00Z", "vendor_calls": 1, "vendor_app": "Easemob app o/a"}
	unknownEntry := object(config("m1"))
	var attrs map[string]tftypes.Value
	_ = unknownEntry.As(&attrs)
	attrs["message_ids"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{
		tftypes.NewValue(tftypes.String, "m1"), tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})
	unknownEntry = tftypes.NewValue(typ, attrs)

	for _, tc := range []struct {
		name           string
		config, prior  tftypes.Value
		wantIDs        []string // the planned message_ids; nil when unknown
		replace        []string
		warning        string
		wantCarriedRun bool
	}{
		{name: "create", config: object(config("m2", "m1")), prior: object(nil), wantIDs: []string{"m2", "m1"}},
		{name: "create with repeats", config: object(config("m2", "m1", "m2", "m2")), prior: object(nil),
			wantIDs: []string{"m2", "m1", "m2", "m2"}, warning: "2 entries of message_ids repeat an earlier one"},
		{name: "same order", config: object(config("m1", "m2", "m3")), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3"}, wantCarriedRun: true},
		{name: "reordered", config: object(config("m3", "m1", "m2")), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3"}, wantCarriedRun: true},
		{name: "one repeat", config: object(config("m3", "m1", "m2", "m1")), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3"}, warning: "1 entry of message_ids repeats an earlier one", wantCarriedRun: true},
		{name: "one more", config: object(config("m1", "m2", "m3", "m4")), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3", "m4"}, replace: []string{"message_ids"}, wantCarriedRun: true},
		{name: "one less", config: object(config("m1", "m2")), prior: object(recorded),
			wantIDs: []string{"m1", "m2"}, replace: []string{"message_ids"}, wantCarriedRun: true},
		{name: "same size, another entry", config: object(config("m1", "m2", "m2", "m4")), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m2", "m4"}, replace: []string{"message_ids"}, warning: "1 entry", wantCarriedRun: true},
		{name: "unknown entry", config: unknownEntry, prior: object(recorded), replace: []string{"message_ids"}, wantCarriedRun: true},
		{name: "notify changed", config: object(map[string]any{"user_id": "alice", "peer_user_id": "bob",
			"message_ids": []string{"m2", "m1", "m3"}, "notify": false}), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3"}, replace: []string{"notify"}, wantCarriedRun: true},
		{name: "triggers added", config: object(map[string]any{"user_id": "alice", "peer_user_id": "bob",
			"message_ids": []string{"m1", "m2", "m3"}, "triggers": map[string]tftypes.Value{"ticket": tftypes.NewValue(tftypes.String, "T-1")}}), prior: object(recorded),
			wantIDs: []string{"m1", "m2", "m3"}, replace: []string{"triggers"}, wantCarriedRun: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			planned, replace, diags := r.plan(tc.config, tc.prior)
			if diags.HasError() {
				t.Fatalf("errors: %v", diags)
			}
			var got map[string]tftypes.Value
			if err := planned.As(&got); err != nil {
				t.Fatal(err)
			}
			if tc.wantIDs != nil {
				if ids, ok := stringEntries(got["message_ids"]); !ok || !slices.Equal(ids, tc.wantIDs) {
					t.Errorf("planned message_ids %v, want %v", got["message_ids"], tc.wantIDs)
				}
			} else if got["message_ids"].IsFullyKnown() {
				t.Errorf("planned message_ids %v, want them as configured, with the unknown entry", got["message_ids"])
			}
			var replaced []string
			for _, p := range replace {
				replaced = append(replaced, p.String())
			}
			if !slices.Equal(replaced, tc.replace) {
				t.Errorf("replace %v, want %v", replaced, tc.replace)
			}
			if want := tftypes.NewValue(tftypes.Bool, true); tc.name != "notify changed" && !got["notify"].Equal(want) {
				t.Errorf("notify planned %v, want the default true", got["notify"])
			}
			for _, name := range append([]string{"vendor_app"}, computedResults...) {
				if carried := got[name].IsKnown(); carried != tc.wantCarriedRun {
					t.Errorf("%s planned %v; want it carried over from the recorded run: %v", name, got[name], tc.wantCarriedRun)
				}
			}
			var warnings []string
			for _, d := range diags.Warnings() {
				warnings = append(warnings, d.Detail())
			}
			if tc.warning == "" && len(warnings) != 0 || tc.warning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.warning)) {
				t.Errorf("warnings %q, want %q", warnings, tc.warning)
			}
		})
	}
}

func TestDistinct_keepsFirstSeenOrder(t *testing.T) {
	got := distinct([]string{"b", "a", "b", "c", "a", "b"})
	if want := []string{"b", "a", "c"}; !slices.Equal(got, want) {
		t.Errorf("distinct = %q, want %q", got, want)
	}
}
