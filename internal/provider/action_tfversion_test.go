package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// These run actions through a real Terraform. Before 1.14 Terraform does not know the action
// block, so they skip there; the protocol-level tests in action_protocol_test.go cover the
// same ground meanwhile.
var actionsNeedTerraform = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// extensionDeleteActionTriggered declares the action and a terraform_data resource whose
// creation invokes it.
func extensionDeleteActionTriggered(baseURL, targetID string) string {
	return providerConfig(baseURL) + fmt.Sprintf(`
action "imops_rongcloud_extension_delete" "x" {
  config {
    message_uid       = "MSG-GROUP-1"
    user_id           = "alice"
    conversation_type = "group"
    target_id         = %q
    extra_keys        = ["leak1", "leak2"]
  }
}

resource "terraform_data" "cleanup" {
  input = "incident-1234"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.imops_rongcloud_extension_delete.x]
    }
  }
}
`, targetID)
}

// Creating the trigger resource runs the action once: the targeted keys go, the rest stay,
// and a second plan of the same configuration runs nothing.
func TestAccRongcloudExtensionDeleteAction_afterCreate(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	config := extensionDeleteActionTriggered(baseURL, "room-1")
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionsNeedTerraform,
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				state := emu.Snapshot().RongCloud
				if got := state.Messages["MSG-GROUP-1"].Extensions; len(got) != 1 || got["keep"] != "c" {
					return fmt.Errorf("group message extensions = %v, want only keep=c", got)
				}
				if got := state.Messages["MSG-PRIVATE-1"].Extensions; len(got) != 2 {
					return fmt.Errorf("untargeted message lost extensions: %v", got)
				}
				return nil
			},
		}, {
			Config:   config,
			PlanOnly: true,
		}},
	})
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("emulator saw %d requests, want exactly 1: the action runs on create only", n)
	}
}

// A vendor refusal inside a triggered action fails the apply with the vendor's code.
func TestAccRongcloudExtensionDeleteAction_vendorError(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionsNeedTerraform,
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      extensionDeleteActionTriggered(baseURL, "some-other-room"),
			ExpectError: regexp.MustCompile(`(?s)Error\s+running\s+imops_rongcloud_extension_delete.*code\s+1002`),
		}},
	})
	if got := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions; len(got) != 3 {
		t.Errorf("a refused action changed the message: %v", got)
	}
}

// An invalid action config is refused at plan time, before the trigger resource or any
// vendor call.
func TestAccRongcloudExtensionDeleteAction_invalidConfig(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionsNeedTerraform,
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + `
action "imops_rongcloud_extension_delete" "x" {
  config {
    message_uid       = "MSG-GROUP-1"
    user_id           = "alice"
    conversation_type = "system"
    target_id         = "room-1"
    extra_keys        = ["leak1"]
  }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)conversation_type.*value\s+must\s+be\s+one\s+of`),
		}},
	})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("invalid action config reached the vendor: %d requests", n)
	}
}
