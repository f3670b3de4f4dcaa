package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// With TRACE logging on, neither the app secret nor any signature the provider sent may
// appear in the log, while the provider's own request lines must be there (otherwise the
// test would pass on an empty log).
func TestAccRongcloudLogRedaction_trace(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	// The secret comes from the environment: the test harness itself logs the configuration
	// text, which is not the provider's doing. This also exercises the environment fallback.
	t.Setenv("IMOPS_RONGCLOUD_APP_SECRET", testRongCloudAppSecret)

	emu := emulator.New(testFixture(), emulator.Options{})
	var (
		mu         sync.Mutex
		signatures []string
	)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if sig := r.Header.Get("Signature"); sig != "" {
			signatures = append(signatures, sig)
		}
		mu.Unlock()
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key  = %q
    api_urls = [%q]
  }
}
`, testRongCloudAppKey, server.URL+"/rongcloud") + `
resource "imops_rongcloud_extension_delete" "x" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1"]
}
`,
		}},
	})

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	if !strings.Contains(log, "sending request") || !strings.Contains(log, "/message/expansion/delete.json") {
		t.Fatalf("the TRACE log (%d bytes) has no provider request line; the test would prove nothing", len(log))
	}
	if !strings.Contains(log, "Signature:***") {
		t.Error("the TRACE log does not show the masked Signature header")
	}
	if len(signatures) == 0 {
		t.Fatal("no signed request reached the emulator")
	}
	if strings.Contains(log, testRongCloudAppSecret) {
		t.Error("the app secret appears in the TRACE log")
	}
	for _, sig := range signatures {
		if strings.Contains(log, sig) {
			t.Errorf("signature %s appears in the TRACE log", sig)
		}
	}
}
