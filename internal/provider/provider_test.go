package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

const groupDeleteResource = `
resource "imops_rongcloud_extension_delete" "x" {
  message_uid       = "MSG-GROUP-1"
  user_id           = "alice"
  conversation_type = "group"
  target_id         = "room-1"
  extra_keys        = ["leak1"]
}
`

// A vendor with no credentials stays off; using it names the vendor and what is missing.
func TestAccProvider_vendorNotConfigured(t *testing.T) {
	for _, env := range []string{"IMOPS_RONGCLOUD_APP_KEY", "IMOPS_RONGCLOUD_APP_SECRET", "IMOPS_RONGCLOUD_API_URLS", "IMOPS_RONGCLOUD_REGION"} {
		t.Setenv(env, "")
	}
	t.Setenv("IMOPS_RONGCLOUD_APP_KEY", "only-the-key")
	emu, _ := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "imops" {}` + groupDeleteResource,
			ExpectError: regexp.MustCompile(`(?s)RongCloud\s+is\s+not\s+configured:\s+set\s+app_secret.*IMOPS_RONGCLOUD_APP_SECRET`),
		}},
	})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}

// Plain http is refused for anything but loopback, before any call.
func TestAccProvider_httpRefusedOffLoopback(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "imops" {
  rongcloud {
    app_key    = "k"
    app_secret = "s"
    api_urls   = ["http://api.rong-api.com"]
  }
}
` + groupDeleteResource,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)only\s+https\s+is\s+allowed,\s+except\s+for\s+loopback`),
		}},
	})
}

func TestAccProvider_unknownRegion(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "imops" {
  rongcloud {
    app_key    = "k"
    app_secret = "s"
    region     = "moon"
  }
}
` + groupDeleteResource,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)region.*value\s+must\s+be\s+one\s+of`),
		}},
	})
}

// Settings from another resource are unknown at plan time and known at apply.
func TestAccProvider_valuesUnknownAtPlan(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "credentials" {
  input = { key = %q, url = %q }
}
provider "imops" {
  rongcloud {
    app_key    = terraform_data.credentials.output.key
    app_secret = %q
    api_urls   = [terraform_data.credentials.output.url]
  }
}
`, testRongCloudAppKey, baseURL+"/rongcloud", testRongCloudAppSecret) + groupDeleteResource,
			Check: func(*terraform.State) error {
				if _, ok := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions["leak1"]; ok {
					return fmt.Errorf("leak1 still present")
				}
				return nil
			},
		}},
	})
}

// A gateway path prefix in the base URL is kept on every call.
func TestAccProvider_basePathPrefixKept(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	t.Setenv("IMOPS_RONGCLOUD_APP_KEY", testRongCloudAppKey)
	t.Setenv("IMOPS_RONGCLOUD_APP_SECRET", testRongCloudAppSecret)
	t.Setenv("IMOPS_RONGCLOUD_API_URLS", baseURL+"/rongcloud/")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "imops" {}` + groupDeleteResource,
		}},
	})
	reqs := emu.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/message/expansion/delete.json" || reqs[0].Status != 200 {
		t.Errorf("requests = %+v", reqs)
	}
}

// Every request names the provider and the Terraform version that drove it, so a vendor's
// support desk can tell our traffic apart.
func TestAccProvider_userAgent(t *testing.T) {
	emu := emulator.New(testFixture(), emulator.Options{})
	agents := make(chan string, 10)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents <- r.Header.Get("User-Agent")
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps:                    []resource.TestStep{{Config: providerConfig(server.URL) + groupDeleteResource}},
	})
	close(agents)
	pattern := regexp.MustCompile(`^terraform-provider-imops/test \(\+https://registry\.terraform\.io/providers/imops/imops\) Terraform/1\.\d+\.\d+`)
	count := 0
	for agent := range agents {
		count++
		if !pattern.MatchString(agent) {
			t.Errorf("User-Agent %q does not name the provider and the Terraform version", agent)
		}
	}
	if count != 1 {
		t.Errorf("requests = %d, want 1", count)
	}
}

// Planning a run of a vendor without credentials warns in the plan, where a reviewer sees it,
// instead of waiting for the apply to fail; a configured vendor plans without a word.
func TestResourcePlan_warnsWhenVendorNotConfigured(t *testing.T) {
	unsetVendorEnv(t)
	for _, tc := range []struct {
		name      string
		configure bool
		warnings  int
	}{{"not configured", false, 1}, {"configured", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProtocolProvider(t)
			providerValues := protocolProviderConfig("http://127.0.0.1:1")
			if !tc.configure {
				delete(providerValues, "rongcloud")
			}
			configured, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
				TerraformVersion: "1.11.4", Config: dynamicValue(t, p.schema.Provider.ValueType(), providerValues),
			})
			if err != nil {
				t.Fatal(err)
			}
			requireNoErrors(t, "ConfigureProvider", configured.Diagnostics)

			typ := p.schema.ResourceSchemas["imops_rongcloud_broadcast_recall"].ValueType()
			config := dynamicValue(t, typ, map[string]any{"from_user_id": "system", "message_uid": "BCST-1"})
			prior, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
				TypeName: "imops_rongcloud_broadcast_recall", PriorState: &prior, ProposedNewState: config, Config: config,
			})
			if err != nil {
				t.Fatal(err)
			}
			requireNoErrors(t, "PlanResourceChange", plan.Diagnostics)
			if len(plan.Diagnostics) != tc.warnings {
				t.Fatalf("want %d warning(s), got:%s", tc.warnings, formatDiagnostics(plan.Diagnostics))
			}
			if tc.warnings > 0 && (plan.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityWarning ||
				!strings.Contains(plan.Diagnostics[0].Summary, "RongCloud is not configured") ||
				!strings.Contains(plan.Diagnostics[0].Detail, "IMOPS_RONGCLOUD_APP_KEY")) {
				t.Errorf("warning does not name the vendor and its settings:%s", formatDiagnostics(plan.Diagnostics))
			}
		})
	}
}

// A base-URL list that is set but names nothing is an error, never a quiet fall back to the
// region's live domains: a dry run pointed at a gateway or the emulator must not reach
// production because a variable was null.
func TestAccProvider_apiURLsNeverFallBackSilently(t *testing.T) {
	emu, _ := testEmulator(t, testFixture(), emulator.Options{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
variable "gateway" {
  type    = string
  default = null
}
provider "imops" {
  rongcloud {
    app_key    = "k"
    app_secret = "s"
    api_urls   = [var.gateway]
  }
}
` + groupDeleteResource,
			ExpectError: regexp.MustCompile(`(?s)api_urls.*null`),
		}},
	})
	if n := len(emu.Requests()); n != 0 {
		t.Errorf("requests = %d", n)
	}
}

func TestListSetting(t *testing.T) {
	list := func(values ...attr.Value) types.List { return types.ListValueMust(types.StringType, values) }
	t.Setenv("IMOPS_TEST_URLS", " , ")
	if _, _, err := listSetting(types.ListNull(types.StringType), "IMOPS_TEST_URLS"); err == nil {
		t.Error("an environment value naming no URL must be an error")
	}
	t.Setenv("IMOPS_TEST_URLS", "https://a.example, https://b.example")
	if got, _, err := listSetting(types.ListNull(types.StringType), "IMOPS_TEST_URLS"); err != nil || len(got) != 2 {
		t.Errorf("environment list = %v, %v", got, err)
	}
	if got, _, err := listSetting(list(types.StringValue("https://c.example")), "IMOPS_TEST_URLS"); err != nil || len(got) != 1 || got[0] != "https://c.example" {
		t.Errorf("the configuration must win over the environment: %v, %v", got, err)
	}
	if _, _, err := listSetting(list(types.StringNull()), "IMOPS_TEST_URLS"); err == nil {
		t.Error("a null element must be an error")
	}
	if _, _, err := listSetting(list(), "IMOPS_TEST_URLS"); err == nil {
		t.Error("an empty list must be an error")
	}
	if _, unknown, err := listSetting(list(types.StringUnknown()), "IMOPS_TEST_URLS"); err != nil || !unknown {
		t.Errorf("an unknown element must report unknown: %v, %v", unknown, err)
	}
	t.Setenv("IMOPS_TEST_URLS", "")
	if got, unknown, err := listSetting(types.ListNull(types.StringType), "IMOPS_TEST_URLS"); err != nil || unknown || got != nil {
		t.Errorf("nothing set must mean unset: %v, %v, %v", got, unknown, err)
	}
}

func TestTransportConfigRefusesBadRates(t *testing.T) {
	for _, raw := range []string{"-1", "NaN", "Inf", "0.5x"} {
		t.Setenv("IMOPS_TEST_RPS", raw)
		if _, err := (commonSettings{}).transportConfig(nil, types.Float64Null(), "IMOPS_TEST_RPS"); err == nil {
			t.Errorf("IMOPS_TEST_RPS=%s was accepted", raw)
		}
	}
	t.Setenv("IMOPS_TEST_RPS", "12.5")
	cfg, err := (commonSettings{}).transportConfig(nil, types.Float64Null(), "IMOPS_TEST_RPS")
	if err != nil || cfg.Settings.RequestsPerSecond != 12.5 {
		t.Errorf("12.5 gave %v, %v", cfg.Settings.RequestsPerSecond, err)
	}
}

// What the configuration says wins over the environment, whichever setting it uses.
func TestRegionalURLsPrecedence(t *testing.T) {
	domains := func(region string) ([]string, error) { return []string{"https://" + region + ".example"}, nil }
	pick := func(apiURLs types.List, region types.String) string {
		t.Helper()
		urls, err := regionalURLs("V", apiURLs, region, "IMOPS_TEST_", "home", domains)
		if err != nil {
			t.Fatal(err)
		}
		return urls[0].String()
	}
	configured := types.ListValueMust(types.StringType, []attr.Value{types.StringValue("https://configured.example")})
	noList, noRegion := types.ListNull(types.StringType), types.StringNull()

	t.Setenv("IMOPS_TEST_API_URLS", "https://env-urls.example")
	t.Setenv("IMOPS_TEST_REGION", "envregion")
	for _, tc := range []struct {
		name    string
		apiURLs types.List
		region  types.String
		want    string
	}{
		{"configured api_urls beat everything", configured, types.StringValue("frankfurt"), "https://configured.example"},
		{"a configured region beats the environment's api_urls", noList, types.StringValue("frankfurt"), "https://frankfurt.example"},
		{"environment api_urls beat the environment's region", noList, noRegion, "https://env-urls.example"},
	} {
		if got := pick(tc.apiURLs, tc.region); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
	t.Setenv("IMOPS_TEST_API_URLS", "")
	if got := pick(noList, noRegion); got != "https://envregion.example" {
		t.Errorf("environment region: got %s", got)
	}
	t.Setenv("IMOPS_TEST_REGION", "")
	if got := pick(noList, noRegion); got != "https://home.example" {
		t.Errorf("default region: got %s", got)
	}
}

// A record made against one app does not stand in for another: pointing the provider at a
// different app plans the operation again, and it runs there.
func TestAccProvider_anotherAppRunsAgain(t *testing.T) {
	rehearsal, rehearsalURL := testEmulator(t, testFixture(), emulator.Options{})
	realFixture := testFixture()
	realFixture.RongCloud.AppKey, realFixture.RongCloud.AppSecret = "real-app-key", "real-app-secret-0123"
	production, realURL := testEmulator(t, realFixture, emulator.Options{})
	config := func(appKey, secret, url string) string {
		return fmt.Sprintf(`
provider "imops" {
  rongcloud {
    app_key    = %q
    app_secret = %q
    api_urls   = [%q]
  }
}
`, appKey, secret, url+"/rongcloud") + groupDeleteResource
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config(testRongCloudAppKey, testRongCloudAppSecret, rehearsalURL),
			Check:  resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.x", "vendor_app", "RongCloud app key "+testRongCloudAppKey),
		}, {
			// Same app, another address (a gateway, the backup domain): nothing to run again.
			Config:   config(testRongCloudAppKey, testRongCloudAppSecret, rehearsalURL+"/"),
			PlanOnly: true,
		}, {
			Config: config("real-app-key", "real-app-secret-0123", realURL),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("imops_rongcloud_extension_delete.x", plancheck.ResourceActionReplace),
			}},
			Check: resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.x", "vendor_app", "RongCloud app key real-app-key"),
		}},
	})
	for name, emu := range map[string]*emulator.Emulator{"rehearsal": rehearsal, "production": production} {
		if _, ok := emu.Snapshot().RongCloud.Messages["MSG-GROUP-1"].Extensions["leak1"]; ok {
			t.Errorf("%s app: leak1 still present", name)
		}
		if n := len(emu.Requests()); n != 1 {
			t.Errorf("%s app: %d requests, want 1", name, n)
		}
	}
}
