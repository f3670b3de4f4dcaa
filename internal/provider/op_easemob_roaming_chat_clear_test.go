package provider

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// alice's messages with bob up to and including the given instant go; later ones, bob's copy
// and alice's other chats stay. The offset form names the same instant as ab-2's timestamp.
func TestAccEasemobRoamingChatClear_before(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_chat_clear" "old" {
  user_id      = "alice"
  peer_user_id = "bob"
  before       = "2024-01-02T08:00:00.000+08:00"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_clear.old", "vendor_calls", "1"),
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_clear.old", "notify", "true"),
				checkEasemobChat(emu, "alice", "bob", "ab-3", "ab-4"),
				checkEasemobChat(emu, "bob", "alice", "ab-1", "ab-2", "ab-3", "ab-4"),
				checkEasemobChat(emu, "alice", "carol", "ac-1"),
				checkEasemobGroup(emu, "alice", "g1", "g1-1", "g1-2", "g1-3"),
				checkEasemobQuery(emu, url.Values{"userId": {"bob"}, "delTime": {strconv.FormatInt(easemobDay0+easemobDay, 10)}, "isNotify": {"true"}}),
			),
		}},
	})
}

// One millisecond before a message's time keeps it: the comparison is exact to the ms.
func TestAccEasemobRoamingChatClear_fractionalSeconds(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_chat_clear" "old" {
  user_id      = "bob"
  peer_user_id = "alice"
  before       = "2024-01-01T23:59:59.999Z"
  notify       = false
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				checkEasemobChat(emu, "bob", "alice", "ab-2", "ab-3", "ab-4"),
				checkEasemobChat(emu, "alice", "bob", "ab-1", "ab-2", "ab-3", "ab-4"),
				checkEasemobQuery(emu, url.Values{"userId": {"alice"}, "delTime": {strconv.FormatInt(easemobDay0+easemobDay-1, 10)}, "isNotify": {"false"}}),
			),
		}},
	})
}

func TestAccEasemobRoamingChatClear_invalidInput(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_chat_clear", map[string]string{
		`user_id = "alice"
  peer_user_id = "bob"
  before = "yesterday"`: `(?s)Invalid\s+timestamp.*before\s+=\s+"yesterday".*"yesterday"\s+is\s+not\s+an\s+RFC\s+3339\s+timestamp`,
		`user_id = "alice"
  peer_user_id = "bob"
  before = "2024-01-02"`: `(?s)Invalid\s+timestamp.*"2024-01-02"\s+is\s+not\s+an\s+RFC\s+3339`,
		`user_id = "alice"
  peer_user_id = "bob"
  before = "1969-12-31T23:59:59Z"`: `(?s)Invalid\s+timestamp.*before\s+1970-01-01T00:00:00Z`,
		`user_id = "alice"
  peer_user_id = "bob"
  before = "2025-11-23T00:30:00"`: `(?s)Invalid\s+timestamp.*has\s+no\s+time\s+zone:\s+add\s+Z`,
		`user_id = "alice"
  peer_user_id = ""
  before = "2024-01-02T00:00:00Z"`: easemobUserIDError("peer_user_id", `is\s+empty`),
		`user_id = ""
  peer_user_id = "bob"
  before = "2024-01-02T00:00:00Z"`: easemobUserIDError("user_id", `is\s+empty`),
	})
}

// A cut-off in the future deletes everything up to the run: allowed, but the plan says so.
func TestRFC3339ValidatorWarnsAboutTheFuture(t *testing.T) {
	for _, tc := range []struct {
		value    string
		warnings int
	}{{"2999-01-01T00:00:00Z", 1}, {"2024-01-01T00:00:00Z", 0}} {
		var resp validator.StringResponse
		rfc3339Validator{}.ValidateString(context.Background(), validator.StringRequest{
			Path: path.Root("before"), ConfigValue: types.StringValue(tc.value),
		}, &resp)
		if resp.Diagnostics.HasError() || resp.Diagnostics.WarningsCount() != tc.warnings {
			t.Errorf("%s: %d warnings, errors %v; want %d warnings", tc.value, resp.Diagnostics.WarningsCount(), resp.Diagnostics.Errors(), tc.warnings)
		}
	}
}
