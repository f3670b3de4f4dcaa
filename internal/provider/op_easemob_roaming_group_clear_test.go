package provider

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// dave's copy of the chat room loses what was sent up to noon on day 0; alice keeps all.
func TestAccEasemobRoamingGroupClear_chatRoom(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_group_clear" "room" {
  user_id  = "dave"
  group_id = "room-1"
  before   = "2024-01-01T12:00:00Z"
  notify   = false
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_group_clear.room", "vendor_calls", "1"),
				checkEasemobGroup(emu, "dave", "room-1", "r1-2"),
				checkEasemobGroup(emu, "alice", "room-1", "r1-1", "r1-2"),
				checkEasemobQuery(emu, url.Values{"groupId": {"room-1"}, "delTime": {strconv.FormatInt(easemobDay0+easemobDay/2, 10)}, "isNotify": {"false"}}),
			),
		}},
	})
}

// A group member's copy up to the instant goes; the other members' and the rest stay.
func TestAccEasemobRoamingGroupClear_group(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_group_clear" "g1" {
  user_id  = "carol"
  group_id = "g1"
  before   = "2024-01-02T00:00:00Z"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				checkEasemobGroup(emu, "carol", "g1", "g1-3"),
				checkEasemobGroup(emu, "bob", "g1", "g1-1", "g1-2", "g1-3"),
				checkEasemobChat(emu, "carol", "alice", "ac-1"),
			),
		}},
	})
}

func TestAccEasemobRoamingGroupClear_invalidInput(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_group_clear", map[string]string{
		`user_id = "dave"
  group_id = "room-1"
  before = "2024-13-01T00:00:00Z"`: `(?s)Invalid\s+timestamp.*before\s+=\s+"2024-13-01T00:00:00Z".*is\s+not\s+an\s+RFC\s+3339`,
		`user_id = "dave"
  group_id = "room-1"
  before = ""`: `(?s)Invalid\s+timestamp.*before\s+=\s+""`,
		`user_id = "dave"
  group_id = ""
  before = "2024-01-01T00:00:00Z"`: `(?s)group_id.*` + emptyStringError,
	})
}
