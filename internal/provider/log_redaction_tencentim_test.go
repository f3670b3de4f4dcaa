package provider

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// With TRACE logging on, neither the secret key nor any UserSig the provider sent may appear
// in the log, while the provider's own request lines must be there (otherwise the test would
// pass on an empty log). The UserSigs are read off the wire by a handler in front of the
// emulator, because the emulator's own request log masks them.
func TestAccTencentimLogRedaction_trace(t *testing.T) {
	clearTencentIMEnv(t)
	readLog := traceLog(t)
	// The key comes from the environment: the test harness logs the configuration text
	// itself, which is not the provider's doing.
	t.Setenv("IMOPS_TENCENTIM_SECRET_KEY", testTencentIMSecretKey)
	emu := emulator.New(testFixture(), emulator.Options{})
	baseURL, userSigs := wireSecrets(t, emu, func(r *http.Request) string { return r.URL.Query().Get("usersig") })

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  tencentim {
    sdk_app_id = %d
    identifier = %q
    api_urls   = [%q]
  }
}
`, testTencentIMSDKAppID, testTencentIMIdentifier, baseURL+"/tencentim") + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			Check: checkRecalled(emu, testTencentIMPublic, 2, 4),
		}},
	})

	sent := userSigs()
	if len(sent) == 0 {
		t.Fatal("no request with a UserSig reached the emulator")
	}
	assertRedacted(t, readLog(), []string{"sending request", "delete_group_msg_by_sender", "usersig=%2A%2A%2A"},
		append(sent, testTencentIMSecretKey)...)
}
