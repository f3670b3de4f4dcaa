package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// Inputs that no vendor can mean are refused at plan, on the attribute, before any call:
// the vendor would answer "ok" to most of them and the run would be recorded as done while
// nothing changed.

// user_id values that name no Easemob user: each is refused with what is wrong with it.
func TestAccEasemobRoamingClear_userIDsNobodyCanHave(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_clear", map[string]string{
		`user_id = "bob/../alice"`:                    easemobUserIDError("user_id", `holds\s+'/'\s+at\s+byte\s+4`),
		`user_id = "bob?userId=carol"`:                easemobUserIDError("user_id", `holds\s+'\?'\s+at\s+byte\s+4`),
		`user_id = "bob#x"`:                           easemobUserIDError("user_id", `holds\s+'#'\s+at\s+byte\s+4`),
		`user_id = "bob%2Falice"`:                     easemobUserIDError("user_id", `holds\s+'%'\s+at\s+byte\s+4`),
		`user_id = "b ob"`:                            easemobUserIDError("user_id", `holds\s+a\s+space\s+at\s+byte\s+2`),
		`user_id = "björn"`:                           easemobUserIDError("user_id", `holds\s+the\s+non-ASCII\s+character\s+'ö'`),
		`user_id = "."`:                               easemobUserIDError("user_id", `is\s+"\.",\s+which\s+a\s+URL\s+reads\s+as\s+a\s+path\s+step`),
		`user_id = ".."`:                              easemobUserIDError("user_id", `is\s+"\.\.",\s+which\s+a\s+URL\s+reads\s+as\s+a\s+path\s+step`),
		`user_id = "` + strings.Repeat("u", 65) + `"`: easemobUserIDError("user_id", `is\s+65\s+bytes\s+long;\s+the\s+most\s+is\s+64`),
		// Easemob would fold it to lowercase; the plan asks for that spelling instead.
		`user_id = "Bob.Smith"`: easemobUserIDError("user_id", `has\s+capital\s+letters;\s+Easemob\s+folds\s+user\s+IDs\s+to\s+lowercase,\s+so\s+write\s+it\s+in\s+lowercase\s+instead`),
	})
}

// The peer of a one-to-one chat follows the same rule, on both the deletion and the clear.
func TestAccEasemobRoamingChatDelete_peerIDsNobodyCanHave(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_chat_delete", map[string]string{
		`user_id = "alice"
  peer_user_id = "bob?userId=carol"
  message_ids = ["ab-1"]`: easemobUserIDError("peer_user_id", `holds\s+'\?'`),
		`user_id = "alice"
  peer_user_id = "Bob"
  message_ids = ["ab-1"]`: easemobUserIDError("peer_user_id", `has\s+capital\s+letters.*write\s+it\s+in\s+lowercase`),
		`user_id = "Alice"
  peer_user_id = "bob"
  message_ids = ["ab-1"]`: easemobUserIDError("user_id", `has\s+capital\s+letters.*write\s+it\s+in\s+lowercase`),
	})
}

func TestAccEasemobRoamingChatClear_peerIDsNobodyCanHave(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_chat_clear", map[string]string{
		`user_id = "alice"
  peer_user_id = "bob%2Falice"
  before = "2024-01-02T00:00:00Z"`: easemobUserIDError("peer_user_id", `holds\s+'%'`),
		`user_id = "alice"
  peer_user_id = "b ob"
  before = "2024-01-02T00:00:00Z"`: easemobUserIDError("peer_user_id", `holds\s+a\s+space`),
	})
}

// Group and chat-room IDs keep the looser rule: Easemob publishes none for them, and they
// travel escaped in the query, so "g#1 x" is sent as it is.
func TestAccEasemobRoamingGroupClear_groupIDWithPunctuation(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_easemob_roaming_group_clear" "x" {
  user_id  = "alice"
  group_id = "g#1 x"
  before   = "2024-01-02T00:00:00Z"
}
`,
		}},
	})
	reqs := emu.Requests()
	if len(reqs) == 0 || !strings.Contains(reqs[len(reqs)-1].Query, "groupId=g%231+x") {
		t.Errorf("want the group ID sent escaped in the query, got %+v", reqs)
	}
}

// A 10,000-character message ID, or one just over the limit, is refused before any call.
func TestAccEasemobRoamingChatDelete_overlongMessageID(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var steps []resource.TestStep
	for _, length := range []int{10000, 65} {
		steps = append(steps, resource.TestStep{
			Config: providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "x" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = ["ab-1", %q]
}
`, strings.Repeat("1", length)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(fmt.Sprintf(`(?s)Entry\s+2\s+of\s+message_ids\s+is\s+%d\s+characters\s+long;\s+Easemob\s+message\s+IDs\s+are\s+numbers\s+of\s+about\s+19\s+digits,\s+and\s+the\s+most\s+accepted\s+is\s+64`, length)),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("an overlong message ID reached the vendor: %d requests", len(reqs))
	}
	if got := emu.Snapshot().Easemob.ChatView("alice", "bob"); len(got) != 4 {
		t.Errorf("alice's chat changed: %v", got)
	}
}

// An extension key longer than RongCloud allows names no extension: refused before any call.
func TestAccRongcloudExtensionDelete_overlongKey(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_rongcloud_extension_delete" "x" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1", %q]
}
`, strings.Repeat("k", 33)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Entry\s+2\s+of\s+extra_keys\s+is\s+33\s+characters\s+long;\s+RongCloud\s+extension\s+keys\s+have\s+at\s+most\s+32`),
		}},
	})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("an overlong key reached the vendor: %d requests", len(reqs))
	}
	if got := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 3 {
		t.Errorf("extensions changed: %v", got)
	}
}

// A broadcast "sent" in the future, or a send time in seconds, would spend one of the two
// recalls an hour on a certain refusal.
func TestAccRongcloudBroadcastRecall_sentTimeNobodyCanMean(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var steps []resource.TestStep
	for _, tc := range []struct {
		sentTime int64
		want     string
	}{
		{time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), `(?s)Invalid\s+sent_time.*sent_time\s+4102444800000\s+reads\s+as\s+2100-01-01T00:00:00Z,\s+in\s+the\s+future`},
		{time.Now().Add(time.Hour).UnixMilli(), `(?s)Invalid\s+sent_time.*in\s+the\s+future\s+\(more\s+than\s+5m0s\s+ahead`},
		{1763856000, `(?s)Invalid\s+sent_time.*reads\s+as\s+1970-01-21T09:57:36Z.*in\s+milliseconds.*three\s+more\s+digits`},
	} {
		steps = append(steps, resource.TestStep{
			Config: providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_rongcloud_broadcast_recall" "x" {
  from_user_id = "system"
  message_uid  = "BCST-1"
  sent_time    = %d
}
`, tc.sentTime),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("a recall that cannot succeed reached the vendor: %d requests", len(reqs))
	}
}

// A base URL with credentials, a query or a fragment is refused on the attribute at plan,
// without showing the password.
func TestAccProvider_apiURLsWithCredentialsQueryOrFragment(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	host := strings.TrimPrefix(baseURL, "http://")
	var steps []resource.TestStep
	// want is the diagnostic's detail, which follows the summary and the source line.
	for _, tc := range []struct{ url, want string }{
		{"http://admin:s3cret-pw@" + host + "/rongcloud", `"http://\*\*\*@` + regexp.QuoteMeta(host) + `/rongcloud"\s+carries\s+credentials`},
		{"https://admin@api.rong-api.com", `"https://\*\*\*@api\.rong-api\.com"\s+carries\s+credentials`},
		{baseURL + "/rongcloud?appKey=other", `/rongcloud\?…"\s+carries\s+a\s+query\s+string\s+or\s+fragment`},
		{baseURL + "/rongcloud#frag", `/rongcloud#…"\s+carries\s+a\s+query\s+string\s+or\s+fragment`},
	} {
		steps = append(steps, resource.TestStep{
			Config: fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key    = %q
    app_secret = %q
    api_urls   = [%q]
  }
}
`, testRongCloudAppKey, testRongCloudAppSecret, tc.url) + groupDeleteResource,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+URL.*api_urls.*` + tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("a refused base URL was called: %+v", reqs)
	}
}

// The same rule holds for URLs from the environment, for a vendor configured by the
// environment alone: the run stops at plan, naming the variable, with the password masked.
func TestAccEasemobRoamingClear_apiURLFromEnvironmentWithCredentials(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	setEasemobEnv(t, strings.Replace(baseURL, "http://", "http://admin:s3cret-pw@", 1)+"/easemob")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + "\n" + easemobClearAlice,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Easemob\s+configuration.*IMOPS_EASEMOB_API_URL:\s+"http://\*\*\*@` +
				regexp.QuoteMeta(strings.TrimPrefix(baseURL, "http://")) + `/easemob"\s+carries\s+credentials`),
		}},
	})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("a refused base URL was called: %+v", reqs)
	}
	if got := emu.Snapshot().Easemob.MessageCount("alice"); got == 0 {
		t.Error("alice's messages were cleared")
	}
}

func TestAccTencentimGroupMessageDeleteBySender_apiURLsFromEnvironmentWithQuery(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	setTencentIMEnv(t, baseURL+"/tencentim?identifier=someone-else")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + "\n" + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Tencent\s+Cloud\s+IM\s+configuration.*IMOPS_TENCENTIM_API_URLS:.*/tencentim\?…"\s+carries\s+a\s+query\s+string`),
		}},
	})
	if reqs := emu.Requests(); len(reqs) != 0 {
		t.Errorf("a refused base URL was called: %+v", reqs)
	}
}

// A replacement runs the operation again, so its plan checks the vendor's settings as a
// create's does (Terraform plans the new object as a create): with the environment's URL now
// carrying credentials, changing a recorded clear's user stops at plan, and nothing is sent.
func TestAccEasemobRoamingClear_replacementChecksTheVendorSettings(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	setEasemobEnv(t, baseURL+"/easemob")
	var calls int
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + "\n" + easemobClearAlice,
		}, {
			PreConfig: func() {
				calls = len(emu.Requests())
				t.Setenv("IMOPS_EASEMOB_API_URL", strings.Replace(baseURL, "http://", "http://admin:s3cret-pw@", 1)+"/easemob")
			},
			Config:      `provider "imops" {}` + "\n" + strings.Replace(easemobClearAlice, `user_id = "alice"`, `user_id = "bob"`, 1),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Easemob\s+configuration.*IMOPS_EASEMOB_API_URL:.*carries\s+credentials`),
		}},
	})
	if got := len(emu.Requests()); got != calls {
		t.Errorf("the refused replacement made %d vendor calls", got-calls)
	}
}
