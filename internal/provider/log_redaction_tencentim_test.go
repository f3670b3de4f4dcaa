package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logPath)
	// The key comes from the environment: the test harness logs the configuration text
	// itself, which is not the provider's doing.
	t.Setenv("IMOPS_TENCENTIM_SECRET_KEY", testTencentIMSecretKey)

	emu := emulator.New(testFixture(), emulator.Options{})
	var (
		mu       sync.Mutex
		userSigs []string
	)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userSig := r.URL.Query().Get("usersig"); userSig != "" {
			mu.Lock()
			userSigs = append(userSigs, userSig)
			mu.Unlock()
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

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
`, testTencentIMSDKAppID, testTencentIMIdentifier, server.URL+"/tencentim") + tencentimRecallConfig(fmt.Sprintf(`
  group_id       = %q
  sender_account = "spammer"`, testTencentIMPublic)),
			Check: checkRecalled(emu, testTencentIMPublic, 2, 4),
		}},
	})

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if !strings.Contains(log, "sending request") || !strings.Contains(log, "delete_group_msg_by_sender") {
		t.Fatalf("the TRACE log (%d bytes) has no Tencent request line; the test would prove nothing", len(log))
	}
	if !strings.Contains(log, "usersig=%2A%2A%2A") {
		t.Error("the TRACE log does not show the masked usersig query parameter")
	}
	if len(userSigs) == 0 {
		t.Fatal("no request with a UserSig reached the emulator")
	}
	if strings.Contains(log, testTencentIMSecretKey) {
		t.Error("the secret key appears in the TRACE log")
	}
	for _, userSig := range userSigs {
		if strings.Contains(log, userSig) || strings.Contains(log, url.QueryEscape(userSig)) {
			t.Errorf("UserSig %s… appears in the TRACE log", userSig[:12])
		}
	}
}
