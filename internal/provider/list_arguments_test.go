package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// extra_keys and message_ids are lists with set semantics: order never matters, repeats are
// sent once, any other change runs the operation again.

func easemobChatDeleteConfig(baseURL string, ids ...string) string {
	return providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "ids" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = %s
}
`, hclSet(ids))
}

// easemobDeletes returns the msgIdList of every roaming deletion the emulator served.
func easemobDeletes(emu *emulator.Emulator) []string {
	var lists []string
	for _, r := range emu.Requests() {
		if r.Method == "DELETE" && strings.Contains(r.Path, "/rest/message/roaming/") {
			query, _ := url.ParseQuery(r.Query)
			lists = append(lists, query.Get("msgIdList"))
		}
	}
	return lists
}

// The same IDs in another order plan no change, and the state keeps the recorded order.
func TestAccEasemobRoamingChatDelete_reorderedIDs(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	const address = "imops_easemob_roaming_chat_delete.ids"
	var recordedID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: easemobChatDeleteConfig(baseURL, "ab-1", "ab-3", "ab-4"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkEasemobChat(emu, "alice", "bob", "ab-2"),
				func(s *terraform.State) error {
					recordedID = s.RootModule().Resources[address].Primary.ID
					return nil
				},
			),
		}, {
			Config: easemobChatDeleteConfig(baseURL, "ab-4", "ab-1", "ab-3"),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(address, "message_ids.#", "3"),
				resource.TestCheckResourceAttr(address, "message_ids.0", "ab-1"),
				resource.TestCheckResourceAttr(address, "message_ids.1", "ab-3"),
				resource.TestCheckResourceAttr(address, "message_ids.2", "ab-4"),
				func(s *terraform.State) error {
					if id := s.RootModule().Resources[address].Primary.ID; id != recordedID {
						return fmt.Errorf("the run was recorded again: id %s, was %s", id, recordedID)
					}
					return nil
				},
			),
		}},
	})
	if deletes := easemobDeletes(emu); len(deletes) != 1 {
		t.Errorf("the emulator served %d deletions (%q), want 1: reordering must not run the operation again", len(deletes), deletes)
	}
}

// Adding, removing or changing an ID replaces the resource, which sends the new list.
func TestAccEasemobRoamingChatDelete_changedIDs(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	const address = "imops_easemob_roaming_chat_delete.ids"
	replace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(address, plancheck.ResourceActionReplace),
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: easemobChatDeleteConfig(baseURL, "ab-1")},
			{Config: easemobChatDeleteConfig(baseURL, "ab-2", "ab-1"), ConfigPlanChecks: replace},
			{Config: easemobChatDeleteConfig(baseURL, "ab-2"), ConfigPlanChecks: replace},
			{Config: easemobChatDeleteConfig(baseURL, "ab-3"), ConfigPlanChecks: replace,
				Check: checkEasemobChat(emu, "alice", "bob", "ab-4")},
		},
	})
	want := []string{"ab-1", "ab-2,ab-1", "ab-2", "ab-3"}
	if got := easemobDeletes(emu); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("deletions sent = %q, want %q", got, want)
	}
}

// Any other change (an argument, the triggers) still replaces the resource and runs it again,
// also when the IDs are listed in another order at the same time.
func TestAccEasemobRoamingChatDelete_otherChangesReplace(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	const address = "imops_easemob_roaming_chat_delete.ids"
	config := func(extra string, ids ...string) string {
		return providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "ids" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = %s
  %s
}
`, hclSet(ids), extra)
	}
	replace := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(address, plancheck.ResourceActionReplace),
	}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("", "ab-1", "ab-2")},
			{Config: config("notify = false", "ab-2", "ab-1"), ConfigPlanChecks: replace,
				Check: resource.TestCheckResourceAttr(address, "notify", "false")},
			{Config: config("notify = false\n  triggers = { ticket = \"T-2\" }", "ab-1", "ab-2"), ConfigPlanChecks: replace},
		},
	})
	if got := easemobDeletes(emu); len(got) != 3 {
		t.Errorf("the emulator served %d deletions (%q), want 3: each change runs the operation again", len(got), got)
	}
}

// extra_keys behaves the same: reordered keys plan nothing, another key replaces.
func TestAccRongcloudExtensionDelete_reorderedKeys(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := func(keys ...string) string {
		return providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_rongcloud_extension_delete" "keys" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = %s
}
`, hclSet(keys))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config("leak1", "leak2")},
			{Config: config("leak2", "leak1", "leak2"), ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			}},
			{Config: config("leak2", "keep"), ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("imops_rongcloud_extension_delete.keys", plancheck.ResourceActionReplace)},
			}},
		},
	})
	if got := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 0 {
		t.Errorf("extensions left = %v, want none after deleting leak1, leak2, then keep", got)
	}
	if n := len(emu.Requests()); n != 2 {
		t.Errorf("the emulator served %d calls, want 2 (the first run and the replacement)", n)
	}
}

// A repeated ID is sent once, and the plan says how many entries repeat without naming them;
// adding repeats of recorded IDs plans no change.
func TestAccEasemobRoamingChatDelete_repeatedIDs(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	tf := newTerraformDir(t, map[string]string{"main.tf": easemobChatDeleteConfig(baseURL, "ab-1", "ab-4", "ab-1")})

	applied := tf.apply()
	if applied.exitCode != 0 {
		t.Fatalf("apply exited %d:\n%s", applied.exitCode, applied.output)
	}
	requireRepeatWarning(t, applied, "1 entry of message_ids repeats an earlier one")
	if got := easemobDeletes(emu); len(got) != 1 || got[0] != "ab-1,ab-4" {
		t.Errorf("deletions sent = %q, want one call with ab-1,ab-4 (each ID once)", got)
	}

	tf.write("main.tf", easemobChatDeleteConfig(baseURL, "ab-4", "ab-1", "ab-4", "ab-1", "ab-4"))
	plan := tf.plan()
	if plan.exitCode != 0 {
		t.Fatalf("repeats of the recorded IDs: plan exited %d, want 0 (no changes); actions %v:\n%s", plan.exitCode, plan.actions, plan.output)
	}
	requireRepeatWarning(t, plan, "3 entries of message_ids repeat an earlier one")
	if n := len(plan.warnings()); n != 1 {
		t.Errorf("terraform plan gave %d warnings, want 1", n)
	}

	tf.write("main.tf", easemobChatDeleteConfig(baseURL, "ab-4", "ab-1"))
	plan = tf.plan()
	if plan.exitCode != 0 || len(plan.warnings()) != 0 {
		t.Errorf("without repeats: plan exited %d with warnings %+v, want 0 and none", plan.exitCode, plan.warnings())
	}
	if got := easemobDeletes(emu); len(got) != 1 {
		t.Errorf("the emulator served %d deletions, want still 1", len(got))
	}
}

// requireRepeatWarning asserts that the run warned about repeats, saying want and naming no
// message ID, and warned about nothing else. (terraform apply plans twice, before and during
// the apply, and shows the warning of each.)
func requireRepeatWarning(t *testing.T, plan terraformPlan, want string) {
	t.Helper()
	warnings := plan.warnings()
	if len(warnings) == 0 {
		t.Fatalf("no warning about the repeats")
	}
	for _, w := range warnings {
		if w.Summary != "Repeated entries in message_ids" || !strings.Contains(w.Detail, want) {
			t.Errorf("warning %q: %q, want the summary about repeats and %q", w.Summary, w.Detail, want)
		}
		if regexp.MustCompile(`ab-\d`).MatchString(w.Summary + w.Detail) {
			t.Errorf("the warning names message IDs: %q", w.Detail)
		}
	}
}

// A state written by 0.1.0, when extra_keys and message_ids were sets (schema version 0), is
// upgraded in place: planning the same configuration with this provider changes nothing and
// calls no vendor, and the next apply records the state at the current version with the lists
// as they were. The state file was produced by terraform 1.11.4 with the provider at 0.1.0
// against the emulator's demo data (see testdata/state-0.1.0/main.tf).
func TestAccOperationResource_upgradeFrom010(t *testing.T) {
	emu, baseURL := testEmulator(t, emulator.DemoFixture(), emulator.Options{})
	files := map[string]string{"provider.tf": fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key    = "demo-app-key"
    app_secret = "demo-app-secret-not-real"
    api_urls   = [%q]
  }
  easemob {
    api_url       = %q
    org_name      = "demo-org"
    app_name      = "demo-app"
    client_id     = "demo-client-id"
    client_secret = "demo-client-secret-not-real"
  }
}
`, baseURL+"/rongcloud", baseURL+"/easemob")}
	for _, name := range []string{"main.tf", "terraform.tfstate"} {
		data, err := os.ReadFile(filepath.Join("testdata", "state-0.1.0", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(data)
	}
	before := readStateFile(t, []byte(files["terraform.tfstate"]))
	for _, r := range before {
		if r.version != 0 {
			t.Fatalf("the 0.1.0 state holds %s at schema version %d, want 0", r.address, r.version)
		}
	}
	tf := newTerraformDir(t, files)

	plan := tf.plan()
	if plan.exitCode != 0 || len(plan.warnings()) != 0 {
		t.Fatalf("plan from the 0.1.0 state exited %d (want 0: no changes), actions %v, warnings %+v:\n%s",
			plan.exitCode, plan.actions, plan.warnings(), plan.output)
	}
	if applied := tf.apply(); applied.exitCode != 0 || len(applied.actions) != 0 {
		t.Fatalf("apply exited %d with actions %v:\n%s", applied.exitCode, applied.actions, applied.output)
	}
	after := readStateFile(t, tf.read("terraform.tfstate"))
	if len(after) != len(before) {
		t.Fatalf("%d resources in state after the upgrade, want %d", len(after), len(before))
	}
	for address, old := range before {
		upgraded := after[address]
		if upgraded.version != resourceSchemaVersion {
			t.Errorf("%s: schema version %d after apply, want %d", address, upgraded.version, resourceSchemaVersion)
		}
		var got, want map[string]any
		if json.Unmarshal(upgraded.attributes, &got) != nil || json.Unmarshal(old.attributes, &want) != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: attributes changed in the upgrade:\n%s\nwant\n%s", address, upgraded.attributes, old.attributes)
		}
	}
	if plan := tf.plan(); plan.exitCode != 0 {
		t.Errorf("plan after the upgrade exited %d, want 0:\n%s", plan.exitCode, plan.output)
	}
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("upgrading and planning called the vendors: %+v", reqs)
	}
}

type stateInstance struct {
	address    string
	version    int
	attributes json.RawMessage
}

// readStateFile returns the managed resource instances of a terraform.tfstate by address.
func readStateFile(t *testing.T, data []byte) map[string]stateInstance {
	t.Helper()
	var state struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				SchemaVersion int             `json:"schema_version"`
				Attributes    json.RawMessage `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatalf("reading the state: %v", err)
	}
	instances := map[string]stateInstance{}
	for _, r := range state.Resources {
		for _, instance := range r.Instances {
			address := r.Type + "." + r.Name
			instances[address] = stateInstance{address: address, version: instance.SchemaVersion, attributes: instance.Attributes}
		}
	}
	return instances
}

// The action surface: planning names the number of repeats (and no ID), invoking sends each
// ID once.
func TestActionPlan_repeatedEntries(t *testing.T) {
	unsetVendorEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	p := newProtocolProvider(t)
	p.configure(baseURL)
	const typeName = "imops_easemob_roaming_chat_delete"
	config := p.actionConfig(typeName, map[string]any{
		"user_id": "alice", "peer_user_id": "bob", "message_ids": []string{"ab-4", "ab-1", "ab-4", "ab-4"},
	})
	plan, err := p.actions.PlanAction(context.Background(), &tfprotov6.PlanActionRequest{ActionType: typeName, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	wantPath := tftypes.NewAttributePath().WithAttributeName("message_ids")
	if len(plan.Diagnostics) != 1 || plan.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
		!strings.Contains(plan.Diagnostics[0].Detail, "2 entries of message_ids repeat an earlier one") ||
		plan.Diagnostics[0].Attribute == nil || !plan.Diagnostics[0].Attribute.Equal(wantPath) {
		t.Errorf("want one warning on message_ids about 2 repeats, got:%s", formatDiagnostics(plan.Diagnostics))
	}
	if strings.Contains(formatDiagnostics(plan.Diagnostics), "ab-") {
		t.Errorf("the warning names message IDs:%s", formatDiagnostics(plan.Diagnostics))
	}

	result := p.run(typeName, config)
	requireNoErrors(t, "InvokeAction", result.diagnostics)
	if got := easemobDeletes(emu); len(got) != 1 || got[0] != "ab-4,ab-1" {
		t.Errorf("deletions sent = %q, want one call with ab-4,ab-1", got)
	}
	if got := emu.Snapshot().Easemob.ChatView("alice", "bob"); strings.Join(got, ",") != "ab-2,ab-3" {
		t.Errorf("alice's chat = %v, want ab-2 and ab-3 left", got)
	}
}
