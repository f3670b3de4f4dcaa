package provider

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

const tencentimRecallType = "imops_tencentim_group_message_delete_by_sender"

// tencentimRecallConfig renders one recall resource named "x" with the given arguments.
func tencentimRecallConfig(arguments string) string {
	return "resource \"" + tencentimRecallType + "\" \"x\" {\n" + arguments + "\n}\n"
}

// checkRecalled asserts which seqs of a group the emulator has marked recalled.
func checkRecalled(emu *emulator.Emulator, groupID string, want ...uint64) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := emu.Snapshot().TencentIM.Recalled(groupID); !slices.Equal(got, want) {
			return fmt.Errorf("recalled seqs in %s = %v, want %v", groupID, got, want)
		}
		return nil
	}
}

// clearTencentIMEnv keeps a developer's own IMOPS_TENCENTIM_* variables out of a test.
func clearTencentIMEnv(t *testing.T) {
	for _, name := range []string{"SDK_APP_ID", "IDENTIFIER", "SECRET_KEY", "USER_SIG", "REGION", "API_URLS", "REQUESTS_PER_SECOND"} {
		t.Setenv("IMOPS_TENCENTIM_"+name, "")
	}
}

// setTencentIMEnv configures Tencent Cloud IM through the environment alone, with the test
// app's credentials and apiURLs (comma-separated).
func setTencentIMEnv(t *testing.T, apiURLs string) {
	clearTencentIMEnv(t)
	t.Setenv("IMOPS_TENCENTIM_SDK_APP_ID", fmt.Sprint(testTencentIMSDKAppID))
	t.Setenv("IMOPS_TENCENTIM_IDENTIFIER", testTencentIMIdentifier)
	t.Setenv("IMOPS_TENCENTIM_SECRET_KEY", testTencentIMSecretKey)
	t.Setenv("IMOPS_TENCENTIM_API_URLS", apiURLs)
}

// The spammer's messages are recalled, everyone else's stay, and the body has no TopicId.
func TestAccTencentimGroupMessageDeleteBySender_spammer(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := providerConfig(baseURL) + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrSet(tencentimRecallType+".x", "id"),
				resource.TestMatchResourceAttr(tencentimRecallType+".x", "executed_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
				resource.TestCheckResourceAttr(tencentimRecallType+".x", "vendor_calls", "1"),
				resource.TestCheckNoResourceAttr(tencentimRecallType+".x", "topic_id"),
				checkRecalled(emu, testTencentIMPublic, 2, 4),
				checkRecalled(emu, testTencentIMCommunity),
			),
		}, {
			// Planning the same configuration again must not run anything.
			Config:   config,
			PlanOnly: true,
		}},
	})
	reqs := emu.Requests()
	if len(reqs) != 1 {
		t.Fatalf("emulator saw %d requests, want exactly 1 (read never calls the vendor; destroy only forgets)", len(reqs))
	}
	if want := `{"GroupId":"@TGS#acc-public","Sender_Account":"spammer"}`; reqs[0].Body != want {
		t.Errorf("body = %s, want %s", reqs[0].Body, want)
	}
}

// With topic_id, only the spammer's messages in that topic go; the community's own stream and
// the other topic keep theirs.
func TestAccTencentimGroupMessageDeleteBySender_topic(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"
  topic_id       = %q`, testTencentIMCommunity, testTencentIMTopicNews)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(tencentimRecallType+".x", "topic_id", testTencentIMTopicNews),
				func(*terraform.State) error {
					for _, m := range emu.Snapshot().TencentIM.Groups[testTencentIMCommunity].Messages {
						if want := m.TopicID == testTencentIMTopicNews && m.Sender == "spammer"; m.Recalled != want {
							return fmt.Errorf("message %+v: recalled = %v, want %v", m, m.Recalled, want)
						}
					}
					return nil
				},
			),
		}},
	})
	reqs := emu.Requests()
	if want := `"TopicId":"` + testTencentIMTopicNews + `"`; len(reqs) != 1 || !strings.Contains(reqs[0].Body, want) {
		t.Errorf("want one request whose body carries %s, got %+v", want, reqs)
	}
}

// An audio-video group keeps no history: the run succeeds and nothing changes.
func TestAccTencentimGroupMessageDeleteBySender_avChatRoom(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMLive)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(tencentimRecallType+".x", "vendor_calls", "1"),
				checkRecalled(emu, testTencentIMLive),
			),
		}},
	})
}

// A group that does not exist fails with Tencent's code, the hint, and nothing recorded.
func TestAccTencentimGroupMessageDeleteBySender_unknownGroup(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + tencentimRecallConfig(`
  group_id       = "@TGS#dismissed"
  sender_account = "spammer"`),
			ExpectError: regexp.MustCompile(`(?s)Error\s+running\s+imops_tencentim_group_message_delete_by_sender.*code\s+10010.*does\s+not\s+exist.*check\s+group_id.*Nothing\s+was\s+recorded\s+in\s+state`),
		}},
	})
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("a missing group is permanent; want 1 request, got %d", n)
	}
}

// Empty arguments are refused at plan time, before any request.
func TestAccTencentimGroupMessageDeleteBySender_invalidInput(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var steps []resource.TestStep
	for _, tc := range []struct{ arguments, want string }{
		{`group_id = ""
  sender_account = "spammer"`, `(?s)group_id\s+is\s+empty`},
		{`group_id = "@TGS#acc-public"
  sender_account = ""`, `(?s)sender_account\s+is\s+empty`},
		{`group_id = "@TGS#acc-community"
  sender_account = "spammer"
  topic_id = ""`, `(?s)topic_id\s+is\s+empty`},
		{`group_id = "@TGS#acc-public"`, `(?s)"sender_account" is required`},
		{`group_id = "@TGS#acc-public"
  sender_account = "spammer "`, `(?s)sender_account.*must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`},
		{`group_id = " @TGS#acc-public"
  sender_account = "spammer"`, `(?s)group_id.*must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(baseURL) + tencentimRecallConfig("  "+tc.arguments),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("invalid input reached the vendor: %d requests", n)
	}
}

// A ready user_sig works instead of secret_key.
func TestAccTencentimGroupMessageDeleteBySender_userSig(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	userSig, err := tencentim.GenerateUserSig(testTencentIMSDKAppID, testTencentIMSecretKey, testTencentIMIdentifier, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  tencentim {
    sdk_app_id = %d
    identifier = %q
    user_sig   = %q
    api_urls   = [%q]
  }
}
`, testTencentIMSDKAppID, testTencentIMIdentifier, userSig, baseURL+"/tencentim") + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			Check: checkRecalled(emu, testTencentIMPublic, 2, 4),
		}},
	})
}

// Every setting can come from the environment alone.
func TestAccTencentimGroupMessageDeleteBySender_environment(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	// Two URLs, the first failing, prove the comma-separated list is read in order.
	setTencentIMEnv(t, baseURL+"/tencentim-backup, "+baseURL+"/tencentim")
	if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 502, PathPrefix: "/tencentim-backup/"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + "\n" + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			Check: checkRecalled(emu, testTencentIMPublic, 2, 4),
		}},
	})
	if reqs := emu.Requests(); len(reqs) != 2 || reqs[0].Status != 502 || reqs[1].Status != 200 {
		t.Errorf("want a 502 from the first URL then 200 from the second, got %+v", reqs)
	}
}

// Both credentials at once are refused when the provider is configured, before any call.
func TestAccTencentimGroupMessageDeleteBySender_bothCredentials(t *testing.T) {
	clearTencentIMEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  tencentim {
    sdk_app_id = %d
    identifier = %q
    secret_key = %q
    user_sig   = "a-ready-user-sig"
    api_urls   = [%q]
  }
}
`, testTencentIMSDKAppID, testTencentIMIdentifier, testTencentIMSecretKey, baseURL+"/tencentim") + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Tencent\s+Cloud\s+IM\s+configuration.*both\s+secret_key\s+and\s+user_sig.*choose\s+one`),
		}},
	})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("a configuration error reached the vendor: %d requests", n)
	}
}

// Without Tencent settings, only a Tencent resource fails, naming what is missing.
func TestAccTencentimGroupMessageDeleteBySender_notConfigured(t *testing.T) {
	clearTencentIMEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + "\n" + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			ExpectError: regexp.MustCompile(`(?s)Tencent\s+Cloud\s+IM\s+is\s+not\s+configured.*sdk_app_id\s+and\s+identifier\s+and\s+secret_key.*IMOPS_TENCENTIM_SDK_APP_ID.*IMOPS_TENCENTIM_USER_SIG`),
		}},
	})
}
