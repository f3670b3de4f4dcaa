package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// Only the listed IDs leave alice's copy; bob keeps his, and an ID of another chat is ignored.
func TestAccEasemobRoamingChatDelete_oneWay(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := providerConfig(baseURL) + `
resource "imops_easemob_roaming_chat_delete" "leak" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = ["ab-1", "ab-4", "ac-1"]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrSet("imops_easemob_roaming_chat_delete.leak", "id"),
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_delete.leak", "vendor_calls", "1"),
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_delete.leak", "notify", "true"),
				checkEasemobChat(emu, "alice", "bob", "ab-2", "ab-3"),
				checkEasemobChat(emu, "bob", "alice", "ab-1", "ab-2", "ab-3", "ab-4"),
				checkEasemobChat(emu, "alice", "carol", "ac-1"),
				checkEasemobGroup(emu, "alice", "g1", "g1-1", "g1-2", "g1-3"),
				checkEasemobQuery(emu, url.Values{"userId": {"bob"}, "msgIdList": {"ab-1,ab-4,ac-1"}, "isNotify": {"true"}}),
			),
		}, {
			// The same configuration again plans nothing: the deletion is not repeated.
			Config:   config,
			PlanOnly: true,
		}},
	})
	if n := len(emu.Requests()); n != 2 {
		t.Errorf("emulator saw %d requests, want 2 (one token, one deletion); read and destroy must not call Easemob", n)
	}
}

// 120 IDs go out as 3 calls; only they leave the owner's copy.
func TestAccEasemobRoamingChatDelete_chunked(t *testing.T) {
	fixture := testFixture()
	var ids []string
	for i := range 120 {
		id := fmt.Sprintf("bulk-%03d", i)
		ids = append(ids, id)
		fixture.Easemob.Messages = append(fixture.Easemob.Messages, emulator.EasemobMessage{
			MsgID: id, From: "erin@example.com", To: "bob", ChatType: "chat", Timestamp: easemobDay0 + int64(i),
		})
	}
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "bulk" {
  user_id      = "erin@example.com"
  peer_user_id = "bob"
  message_ids  = %s
  notify       = false
}
`, hclSet(ids)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_delete.bulk", "vendor_calls", "3"),
				checkEasemobChat(emu, "erin@example.com", "bob", "be-1", "be-2"),
				func(*terraform.State) error {
					if n := len(emu.Snapshot().Easemob.ChatView("bob", "erin@example.com")); n != 122 {
						return fmt.Errorf("bob sees %d messages with erin, want all 122", n)
					}
					for _, r := range emu.Requests() {
						if r.Status == 200 && r.Method == "DELETE" && r.Path != "/acc-org/acc-app/rest/message/roaming/chat/user/erin@example.com" {
							return fmt.Errorf("unexpected path %s", r.Path)
						}
					}
					return nil
				},
			),
		}},
	})
}

// An app without message roaming fails with Easemob's error and the advice to enable it.
func TestAccEasemobRoamingChatDelete_roamingDisabled(t *testing.T) {
	fixture := testFixture()
	off := false
	fixture.Easemob.RoamingEnabled = &off
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_chat_delete" "x" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = ["ab-1"]
}
`,
			ExpectError: regexp.MustCompile(`(?s)Error\s+running\s+imops_easemob_roaming_chat_delete.*HTTP\s+400.*code\s+service\s+open\s+exception.*` +
				`this\s+appKey\s+not\s+open\s+message\s+roaming.*Enable\s+message\s+roaming\s+for\s+this\s+app\s+in\s+the\s+Easemob\s+console.*` +
				`retrying\s+does\s+not\s+help.*Nothing\s+was\s+recorded\s+in\s+state`),
		}},
	})
	if got := emu.Snapshot().Easemob.ChatView("alice", "bob"); len(got) != 4 {
		t.Errorf("alice's chat changed although roaming is off: %v", got)
	}
	roamingCalls := 0
	for _, r := range emu.Requests() {
		if r.Status == 400 {
			roamingCalls++
		}
	}
	if roamingCalls != 1 {
		t.Errorf("a disabled service is permanent: want 1 refused call, got %d", roamingCalls)
	}
}

func TestAccEasemobRoamingChatDelete_invalidInput(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_chat_delete", map[string]string{
		`user_id = "alice"
  peer_user_id = "bob"
  message_ids = []`: `(?s)message_ids.*` + emptyListError,
		`user_id = "alice"
  peer_user_id = "bob"
  message_ids = ["ab-1", ""]`: `(?s)Entry\s+2\s+of\s+message_ids\s+must\s+not\s+be\s+empty`,
		`user_id = "alice"
  peer_user_id = "bob"
  message_ids = ["1235807318835202001,1235807318835202002"]`: `(?s)message_ids.*one\s+message\s+ID,\s+without\s+commas`,
		`user_id = "alice"
  peer_user_id = "bob"
  message_ids = ["1235807318835202001 "]`: `(?s)Entry\s+1\s+of\s+message_ids\s+must\s+be\s+one\s+message\s+ID,\s+without\s+commas`,
		`user_id = ".."
  peer_user_id = "bob"
  message_ids = ["m1"]`: `(?s)user_id.*value\s+must\s+be\s+none\s+of`,
		`user_id = ""
  peer_user_id = "bob"
  message_ids = ["ab-1"]`: `(?s)user_id.*` + emptyStringError,
		`user_id = "alice"
  peer_user_id = ""
  message_ids = ["ab-1"]`: `(?s)peer_user_id.*` + emptyStringError,
	})
}

// The action form, invoked at the protocol level: it applies the notify default, deletes the
// same way, and streams chunk progress ending with the summary line.
func TestEasemobRoamingChatDeleteAction_progress(t *testing.T) {
	fixture := testFixture()
	var ids []tftypes.Value
	for i := range 120 {
		id := fmt.Sprintf("bulk-%03d", i)
		ids = append(ids, tftypes.NewValue(tftypes.String, id))
		fixture.Easemob.Messages = append(fixture.Easemob.Messages, emulator.EasemobMessage{
			MsgID: id, From: "alice", To: "bob", ChatType: "chat", Timestamp: easemobDay0 + int64(i),
		})
	}
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	clients := &Clients{}
	var err error
	clients.easemob, err = configureEasemob(&easemobModel{
		APIURL: types.StringValue(baseURL + "/easemob"), OrgName: types.StringValue(testEasemobOrgName),
		AppName: types.StringValue(testEasemobAppName), ClientID: types.StringValue(testEasemobClientID),
		ClientSecret: types.StringValue(testEasemobClientSecret), AppToken: types.StringNull(), RequestsPerSecond: types.Float64Null(),
	}, commonSettings{})
	if err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	act := newOperationAction(easemobRoamingChatDelete())
	act.(action.ActionWithConfigure).Configure(ctx, action.ConfigureRequest{ProviderData: clients}, &action.ConfigureResponse{})
	var schemaResp action.SchemaResponse
	act.Schema(ctx, action.SchemaRequest{}, &schemaResp)
	objectType := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(objectType, map[string]tftypes.Value{
		"user_id":      tftypes.NewValue(tftypes.String, "alice"),
		"peer_user_id": tftypes.NewValue(tftypes.String, "bob"),
		"message_ids":  tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, ids),
		"notify":       tftypes.NewValue(tftypes.Bool, nil),
	})}
	var lines []string
	resp := action.InvokeResponse{SendProgress: func(event action.InvokeProgressEvent) { lines = append(lines, event.Message) }}
	act.Invoke(ctx, action.InvokeRequest{Config: config}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("invoke failed: %v", resp.Diagnostics)
	}

	chunkLine := regexp.MustCompile(`^Easemob: deleted \d+ of 120 message IDs \(\d of 3 calls\)$`)
	if len(lines) < 2 || lines[len(lines)-1] != "Easemob: done, 3 calls (120 of 120 message IDs)" {
		t.Fatalf("progress lines = %q, want chunk lines then the summary", lines)
	}
	for _, line := range lines[:len(lines)-1] {
		if !chunkLine.MatchString(line) {
			t.Errorf("progress line %q does not read like a chunk report", line)
		}
	}
	if got := emu.Snapshot().Easemob.ChatView("alice", "bob"); len(got) != 4 {
		t.Errorf("alice's chat with bob = %v, want only ab-1..ab-4 left", got)
	}
	for _, r := range emu.Requests() {
		if query, _ := url.ParseQuery(r.Query); r.Method == "DELETE" && query.Get("isNotify") != "true" {
			t.Errorf("call %s?%s lacks the notify default isNotify=true", r.Path, r.Query)
		}
	}
}
