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

// traceLog turns TRACE logging on for the test (the provider runs in-process, so its tflog
// lines land in the same file as terraform's) and returns a reader for the log.
func traceLog(t *testing.T) func() string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_LOG", "TRACE")
	return func() string {
		data, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
}

// wireSecrets serves emu on loopback behind a handler that keeps the credential extract finds
// in each request (a signature, a token, a UserSig), read off the wire because the emulator's
// own request log masks them.
func wireSecrets(t *testing.T, emu *emulator.Emulator, extract func(*http.Request) string) (baseURL string, seen func() []string) {
	t.Helper()
	var (
		mu      sync.Mutex
		secrets []string
	)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if secret := extract(r); secret != "" {
			mu.Lock()
			secrets = append(secrets, secret)
			mu.Unlock()
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	return server.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), secrets...)
	}
}

// assertRedacted checks that log holds every line in mustShow (so the test cannot pass on an
// empty log) and none of the secrets, in plain or URL-escaped form.
func assertRedacted(t *testing.T, log string, mustShow []string, secrets ...string) {
	t.Helper()
	for _, want := range mustShow {
		if !strings.Contains(log, want) {
			t.Fatalf("the TRACE log (%d bytes) lacks %q; the test would prove nothing", len(log), want)
		}
	}
	for _, secret := range secrets {
		if secret == "" {
			t.Fatal("empty secret: the test would prove nothing")
		}
		if strings.Contains(log, secret) || strings.Contains(log, url.QueryEscape(secret)) {
			t.Errorf("secret %.8s… appears in the TRACE log", secret)
		}
	}
}

// With TRACE logging on, neither the app secret nor any signature the provider sent may
// appear in the log, while the provider's own request lines, with the Signature header
// masked, must be there.
func TestAccRongcloudLogRedaction_trace(t *testing.T) {
	readLog := traceLog(t)
	// The secret comes from the environment: the test harness itself logs the configuration
	// text, which is not the provider's doing. This also exercises the environment fallback.
	t.Setenv("IMOPS_RONGCLOUD_APP_SECRET", testRongCloudAppSecret)
	emu := emulator.New(testFixture(), emulator.Options{})
	baseURL, signatures := wireSecrets(t, emu, func(r *http.Request) string { return r.Header.Get("Signature") })

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
`, testRongCloudAppKey, baseURL+"/rongcloud") + groupDeleteResource,
		}},
	})

	sent := signatures()
	if len(sent) == 0 {
		t.Fatal("no signed request reached the emulator")
	}
	assertRedacted(t, readLog(), []string{"sending request", "/message/expansion/delete.json", "Signature:***"},
		append(sent, testRongCloudAppSecret)...)
}
