package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

func TestAccRongcloudBroadcastRecall_basic(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_rongcloud_broadcast_recall" "oops" {
  from_user_id = "system"
  message_uid  = "BCST-1"
  sent_time    = 1763856000000
  is_delete    = true
  extra        = "sent by mistake"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_rongcloud_broadcast_recall.oops", "vendor_calls", "1"),
				resource.TestCheckResourceAttr("imops_rongcloud_broadcast_recall.oops", "is_admin", "false"),
				resource.TestCheckResourceAttrSet("imops_rongcloud_broadcast_recall.oops", "executed_at"),
				func(*terraform.State) error {
					state := emu.Snapshot().RongCloud
					if b := state.Broadcasts["BCST-1"]; !b.Recalled || !b.Deleted || b.Extra != "sent by mistake" {
						return fmt.Errorf("BCST-1 = %+v, want recalled and deleted with the extra", b)
					}
					if b := state.Broadcasts["BCST-2"]; b.Recalled {
						return fmt.Errorf("BCST-2 was recalled but not targeted")
					}
					return nil
				},
			),
		}},
	})
}

// The recall quota (2 per hour) answers 1008. A refusal means RongCloud did nothing, so the
// call is retried like any rate-limited one (here up to max_retries = 2), then fails saying why.
func TestAccRongcloudBroadcastRecall_quotaExceeded(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var config string
	for i := 1; i <= 3; i++ {
		config += fmt.Sprintf(`
resource "imops_rongcloud_broadcast_recall" "r%d" {
  from_user_id = "system"
  message_uid  = "BCST-%d"
}
`, i, min(i, 2))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerConfig(baseURL) + config,
			ExpectError: regexp.MustCompile(`(?s)code\s+1008.*2\s+calls\s+per\s+hour\s+and\s+3\s+per\s+calendar\s+day`),
		}},
	})
	accepted, refused := 0, 0
	for _, r := range emu.Requests() {
		if r.Status == 200 {
			accepted++
		} else {
			refused++
		}
	}
	if accepted != 2 || refused != 3 {
		t.Errorf("%d accepted, %d refused; want two accepted, and the third refused on each of its 3 attempts", accepted, refused)
	}
}

func TestAccRongcloudBroadcastRecall_invalidInput(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	var steps []resource.TestStep
	for _, tc := range []struct{ body, want string }{
		{`from_user_id = ""
  message_uid = "m"`, `(?s)from_user_id\s+is\s+empty`},
		{`from_user_id = "u"
  message_uid = "m"
  sent_time = 0`, `(?s)sent_time.*must be at least 1`},
		{`from_user_id = "u"`, `(?s)"message_uid" is required`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      providerConfig(baseURL) + "resource \"imops_rongcloud_broadcast_recall\" \"bad\" {\n  " + tc.body + "\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(tc.want),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testProviderFactories, Steps: steps})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("invalid input reached the vendor: %d requests", n)
	}
}

// After a 503 the recall may have happened; with 2 recalls an hour the error must not invite
// a blind re-apply, and the call is not resent.
func TestAccRongcloudBroadcastRecall_outcomeUnknown(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Status: 503, PathPrefix: "/rongcloud/"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
resource "imops_rongcloud_broadcast_recall" "oops" {
  from_user_id = "system"
  message_uid  = "BCST-1"
}
`,
			ExpectError: regexp.MustCompile(`(?s)HTTP\s+503.*may\s+have\s+reached\s+RongCloud\s+and\s+taken\s+effect.*check\s+the\s+result\s+at\s+RongCloud\s+first`),
		}},
	})
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1: a recall that reached the server is never resent", n)
	}
}
