package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

const easemobClearAlice = `
resource "imops_easemob_roaming_clear" "erasure" {
  user_id = "alice"
}
`

// alice loses every message in every conversation; everyone else's views are as before.
func TestAccEasemobRoamingClear_oneUser(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	before := emu.Snapshot().Easemob
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig(baseURL) + easemobClearAlice,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_clear.erasure", "vendor_calls", "1"),
				func(*terraform.State) error {
					after := emu.Snapshot().Easemob
					if n := after.MessageCount("alice"); n != 0 {
						return fmt.Errorf("alice still sees %d messages: %+v", n, after.Users["alice"])
					}
					for user := range before.Users {
						if user == "alice" {
							continue
						}
						was, _ := json.Marshal(before.Users[user])
						now, _ := json.Marshal(after.Users[user])
						if string(was) != string(now) {
							return fmt.Errorf("%s's view changed: %s → %s", user, was, now)
						}
					}
					return nil
				},
			),
		}},
	})
}

// Credentials and settings may all come from the environment.
func TestAccEasemobRoamingClear_environment(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	setEasemobEnv(t, baseURL+"/easemob")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + `
resource "imops_easemob_roaming_clear" "erasure" {
  user_id = "dave"
}
`,
			Check: func(*terraform.State) error {
				if n := emu.Snapshot().Easemob.MessageCount("dave"); n != 0 {
					return fmt.Errorf("dave still sees %d messages", n)
				}
				return nil
			},
		}},
	})
}

// Without settings, using Easemob names every missing one and its environment variable.
func TestAccEasemobRoamingClear_notConfigured(t *testing.T) {
	clearEasemobEnv(t)
	t.Setenv("IMOPS_EASEMOB_ORG_NAME", "from-env")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + easemobClearAlice,
			ExpectError: regexp.MustCompile(`(?s)Easemob\s+is\s+not\s+configured:\s+set\s+api_url\s+and\s+app_name\s+and\s+client_id\s+and\s+client_secret\s+` +
				`in\s+the\s+provider's\s+easemob\s+block.*IMOPS_EASEMOB_API_URL,\s+IMOPS_EASEMOB_APP_NAME,\s+IMOPS_EASEMOB_CLIENT_ID,\s+` +
				`IMOPS_EASEMOB_CLIENT_SECRET.*a\s+ready\s+app_token\s+may\s+be\s+given`),
		}},
	})
}

// Both kinds of credential in the block are refused at plan time rather than one silently winning.
func TestAccEasemobRoamingClear_bothCredentialKinds(t *testing.T) {
	clearEasemobEnv(t)
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  easemob {
    api_url       = %q
    org_name      = %q
    app_name      = %q
    client_id     = %q
    client_secret = %q
    app_token     = "YWMt-some-token"
  }
}
`, baseURL+"/easemob", testEasemobOrgName, testEasemobAppName, testEasemobClientID, testEasemobClientSecret) + easemobClearAlice,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid\s+Easemob\s+configuration.*both\s+app_token\s+and\s+client_id/client_secret\s+are\s+set`),
		}},
	})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}

// A ready app_token is used as it is while valid, and once expired the error says so.
func TestAccEasemobRoamingClear_appToken(t *testing.T) {
	clearEasemobEnv(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{Now: clock})
	token := fetchEasemobToken(t, baseURL)
	config := func(user string) string {
		return fmt.Sprintf(`
provider "imops" {
  easemob {
    api_url   = %q
    org_name  = %q
    app_name  = %q
    app_token = %q
  }
}
resource "imops_easemob_roaming_clear" "erasure" {
  user_id = %q
}
`, baseURL+"/easemob", testEasemobOrgName, testEasemobAppName, token, user)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("alice"),
			Check: func(*terraform.State) error {
				if n := emu.Snapshot().Easemob.MessageCount("alice"); n != 0 {
					return fmt.Errorf("alice still sees %d messages", n)
				}
				mu.Lock()
				now = now.Add(3 * time.Hour)
				mu.Unlock()
				return nil
			},
		}, {
			Config:      config("bob"),
			ExpectError: regexp.MustCompile(`(?s)HTTP\s+401.*code\s+unauthorized.*Easemob\s+refused\s+app_token,\s+most\s+likely\s+because\s+it\s+has\s+expired`),
		}},
	})
	snapshot := emu.Snapshot().Easemob
	if snapshot.TokensIssued != 1 {
		t.Errorf("tokens issued = %d, want only the test's own: a fixed app_token is never renewed", snapshot.TokensIssued)
	}
	if n := snapshot.MessageCount("bob"); n == 0 {
		t.Error("bob's messages went although the token had expired")
	}
}

// fetchEasemobToken asks the emulator for an app token, as a user would with curl.
func fetchEasemobToken(t *testing.T, baseURL string) string {
	t.Helper()
	body := fmt.Sprintf(`{"grant_type":"client_credentials","client_id":%q,"client_secret":%q}`, testEasemobClientID, testEasemobClientSecret)
	resp, err := http.Post(baseURL+"/easemob/"+testEasemobOrgName+"/"+testEasemobAppName+"/token", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" {
		t.Fatalf("token request: status %d, %v", resp.StatusCode, err)
	}
	return answer.AccessToken
}

// With TRACE logging on, neither the client secret nor any token the provider used may appear
// in the log, while the provider's own request lines must be there.
func TestAccEasemobRoamingClear_logRedaction(t *testing.T) {
	clearEasemobEnv(t)
	readLog := traceLog(t)
	// From the environment: the test harness logs the configuration text itself.
	t.Setenv("IMOPS_EASEMOB_CLIENT_SECRET", testEasemobClientSecret)
	emu := emulator.New(testFixture(), emulator.Options{})
	baseURL, tokens := wireSecrets(t, emu, func(r *http.Request) string {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return token
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  easemob {
    api_url   = %q
    org_name  = %q
    app_name  = %q
    client_id = %q
  }
}
`, baseURL+"/easemob", testEasemobOrgName, testEasemobAppName, testEasemobClientID) + easemobClearAlice,
		}},
	})

	sent := tokens()
	if len(sent) == 0 {
		t.Fatal("no authenticated request reached the emulator")
	}
	assertRedacted(t, readLog(), []string{"sending request", "/token", "/delete/all"}, append(sent, testEasemobClientSecret)...)
}

func TestAccEasemobRoamingClear_invalidInput(t *testing.T) {
	easemobPlanRefusals(t, "imops_easemob_roaming_clear", map[string]string{
		`user_id = ""`: easemobUserIDError("user_id", `is\s+empty`),
		// A line read from a Windows file keeps its carriage return: a different, unknown user.
		`user_id = "alice\r"`: easemobUserIDError("user_id", `holds\s+a\s+line\s+break\s+.*\s+at\s+byte\s+6`),
		`user_id = " alice"`:  easemobUserIDError("user_id", `holds\s+a\s+space\s+at\s+byte\s+1`),
	})
}
