package provider

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// bob's copy of the group loses the listed messages; alice and carol keep theirs.
func TestAccEasemobRoamingGroupDelete_oneWay(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_group_delete" "cleanup" {
  user_id     = "bob"
  group_id    = "g1"
  message_ids = ["g1-1", "g1-3", "ab-1"]
  notify      = false
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_group_delete.cleanup", "vendor_calls", "1"),
				resource.TestCheckResourceAttr("imops_easemob_roaming_group_delete.cleanup", "notify", "false"),
				checkEasemobGroup(emu, "bob", "g1", "g1-2"),
				checkEasemobGroup(emu, "alice", "g1", "g1-1", "g1-2", "g1-3"),
				checkEasemobGroup(emu, "carol", "g1", "g1-1", "g1-2", "g1-3"),
				checkEasemobChat(emu, "bob", "alice", "ab-1", "ab-2", "ab-3", "ab-4"),
				checkEasemobQuery(emu, url.Values{"groupId": {"g1"}, "msgIdList": {"g1-1,g1-3,ab-1"}, "isNotify": {"false"}}),
			),
		}},
	})
}

// Wrong client credentials end as the token endpoint's error with advice, and nothing changes.
func TestAccEasemobRoamingGroupDelete_wrongSecret(t *testing.T) {
	clearEasemobEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "imops" {
  easemob {
    api_url       = "` + baseURL + `/easemob"
    org_name      = "` + testEasemobOrgName + `"
    app_name      = "` + testEasemobAppName + `"
    client_id     = "` + testEasemobClientID + `"
    client_secret = "not-the-secret"
  }
}
resource "imops_easemob_roaming_group_delete" "x" {
  user_id     = "bob"
  group_id    = "g1"
  message_ids = ["g1-1"]
}
`,
			ExpectError: regexp.MustCompile(`(?s)could\s+not\s+fetch\s+an\s+app\s+token\s+\(HTTP\s+400\):\s+code\s+invalid_grant:\s+client_secret\s+does\s+not\s+match.*` +
				`Client_secret\s+does\s+not\s+match\s+client_id`),
		}},
	})
	if got := emu.Snapshot().Easemob.GroupView("bob", "g1"); len(got) != 3 {
		t.Errorf("bob's view changed despite the refused token: %v", got)
	}
}

func TestAccEasemobRoamingGroupDelete_invalidInput(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_group_delete", map[string]string{
		`user_id = "bob"
  group_id = ""
  message_ids = ["g1-1"]`: `(?s)group_id.*` + emptyStringError,
		`user_id = "bob"
  group_id = "g1"
  message_ids = []`: `(?s)message_ids.*` + emptyListError,
		`user_id = ""
  group_id = "g1"
  message_ids = ["g1-1"]`: `(?s)user_id.*` + emptyStringError,
	})
}
