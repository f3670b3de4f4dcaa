package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

func TestAccRongcloudExtensionDelete_group(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := providerConfig(baseURL) + `
resource "imops_rongcloud_extension_delete" "leak" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1", "leak2"]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrSet("imops_rongcloud_extension_delete.leak", "id"),
				resource.TestMatchResourceAttr("imops_rongcloud_extension_delete.leak", "executed_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)),
				resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.leak", "vendor_calls", "1"),
				resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.leak", "sync_sender", "false"),
				func(*terraform.State) error {
					state := emu.Snapshot().RongCloud
					if got := state.Messages["MSG-GROUP-1"].Extensions; len(got) != 1 || got["keep"] != "c" {
						return fmt.Errorf("group message extensions = %v, want only keep=c", got)
					}
					if got := state.Messages["MSG-PRIVATE-1"].Extensions; len(got) != 2 {
						return fmt.Errorf("untargeted message lost extensions: %v", got)
					}
					return nil
				},
			),
		}, {
			// A second plan with the same configuration must not run anything again.
			Config:   config,
			PlanOnly: true,
		}},
	})
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("emulator saw %d requests, want exactly 1 (read must never call the vendor; destroy only forgets)", n)
	}
}

// Over 100 keys are split into calls of at most 100; only the listed keys go.
func TestAccRongcloudExtensionDelete_chunked(t *testing.T) {
	fixture := testFixture()
	extensions := map[string]string{"unrelated": "stay"}
	var keys []string
	for i := range 250 {
		key := fmt.Sprintf("k%03d", i)
		keys = append(keys, key)
		extensions[key] = "v"
	}
	fixture.RongCloud.Messages[1].Extensions = extensions
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + fmt.Sprintf(`
resource "imops_rongcloud_extension_delete" "bulk" {
  message_uid       = "MSG-PRIVATE-1"
  user_id           = "carol"
  conversation_type = "private"
  target_id         = "bob"
  extra_keys        = %s
  sync_sender       = true
}
`, hclSet(keys)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.bulk", "vendor_calls", "3"),
				func(*terraform.State) error {
					got := emu.Snapshot().RongCloud.Messages["MSG-PRIVATE-1"].Extensions
					if len(got) != 1 || got["unrelated"] != "stay" {
						return fmt.Errorf("extensions after delete = %d keys (%v), want only unrelated", len(got), got)
					}
					return nil
				},
			),
		}},
	})
}

// A vendor refusal ends as an error with the vendor's code, and nothing is recorded.
func TestAccRongcloudExtensionDelete_vendorError(t *testing.T) {
	_, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_rongcloud_extension_delete" "wrong_target" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "some-other-room"
  extra_keys        = ["leak1"]
}
`,
			ExpectError: regexp.MustCompile(`(?s)Error\s+running\s+imops_rongcloud_extension_delete.*code\s+1002.*Nothing\s+was\s+recorded\s+in\s+state`),
		}},
	})
}

// A wrong secret is refused by the emulator's signature check with RongCloud's code 1004.
func TestAccRongcloudExtensionDelete_wrongSignature(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key    = %q
    app_secret = "not-the-secret"
    api_urls   = [%q]
  }
}
resource "imops_rongcloud_extension_delete" "x" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1"]
}
`, testRongCloudAppKey, baseURL+"/rongcloud"),
			ExpectError: regexp.MustCompile(`(?s)HTTP\s+401.*code\s+1004.*signature\s+error.*Check\s+app_key\s+and\s+app_secret`),
		}},
	})
	if got := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 3 {
		t.Errorf("extensions changed despite the bad signature: %v", got)
	}
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("a signature error is permanent; want 1 request, got %d", n)
	}
}

// A transient 503 on the primary is retried on the backup base URL and succeeds.
func TestAccRongcloudExtensionDelete_failover503(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 503, PathPrefix: "/rongcloud/"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key    = %q
    app_secret = %q
    api_urls   = [%q, %q]
  }
}
resource "imops_rongcloud_extension_delete" "x" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1"]
}
`, testRongCloudAppKey, testRongCloudAppSecret, baseURL+"/rongcloud", baseURL+"/rongcloud-backup"),
			Check: func(*terraform.State) error {
				if _, ok := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions["leak1"]; ok {
					return fmt.Errorf("leak1 still present after failover")
				}
				return nil
			},
		}},
	})
	reqs := emu.Requests()
	if len(reqs) != 2 || reqs[0].Status != 503 || reqs[1].Status != 200 {
		t.Errorf("want one 503 on the primary then 200 on the backup, got %+v", reqs)
	}
}

func TestAccRongcloudExtensionDelete_invalidInput(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var steps []resource.TestStep
	for _, tc := range []struct{ name, body, want string }{
		{"empty keys", `message_uid = "M"
  user_id = "u"
  conversation_type = "group"
  target_id = "t"
  extra_keys = []`, `(?s)extra_keys.*` + emptyListError},
		{"empty key", `message_uid = "M"
  user_id = "u"
  conversation_type = "group"
  target_id = "t"
  extra_keys = [""]`, `(?s)Entry\s+1\s+of\s+extra_keys\s+is\s+empty`},
		{"key with a trailing carriage return", `message_uid = "M"
  user_id = "u"
  conversation_type = "group"
  target_id = "t"
  extra_keys = ["k1", "k2\r"]`, `(?s)Entry\s+2\s+of\s+extra_keys\s+must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`},
		{"unknown conversation type", `message_uid = "M"
  user_id = "u"
  conversation_type = "system"
  target_id = "t"
  extra_keys = ["k"]`, `(?s)conversation_type.*value must be one of`},
		{"empty message uid", `message_uid = ""
  user_id = "u"
  conversation_type = "private"
  target_id = "t"
  extra_keys = ["k"]`, `(?s)message_uid\s+is\s+empty`},
		{"target with a trailing space", `message_uid = "M"
  user_id = "u"
  conversation_type = "group"
  target_id = "room-1 "
  extra_keys = ["k"]`, `(?s)target_id.*must\s+not\s+start\s+or\s+end\s+with\s+white\s+space`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(baseURL) + "resource \"imops_rongcloud_extension_delete\" \"bad\" {\n  " + tc.body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("invalid input reached the vendor: %d requests", n)
	}
}
