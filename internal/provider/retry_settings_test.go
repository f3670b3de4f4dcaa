package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// retry_timeout comes from the configuration, else IMOPS_RETRY_TIMEOUT; unset leaves the
// transport's default. max_retries becomes a cap on attempts, with no cap by default.
func TestCommonSettings_retryBudget(t *testing.T) {
	p := &imopsProvider{version: "test"}
	t.Setenv("IMOPS_RETRY_TIMEOUT", "")
	t.Setenv("IMOPS_MAX_RETRIES", "")
	s, err := p.commonSettings(providerModel{}, "1.11.4")
	if err != nil || s.transport.RetryTimeout != 0 || s.transport.MaxRetries != 0 || s.transport.NoRetries {
		t.Fatalf("defaults: %+v, %v; want the transport's own defaults (time budget, no attempt cap)", s.transport, err)
	}

	t.Setenv("IMOPS_RETRY_TIMEOUT", "3m")
	s, err = p.commonSettings(providerModel{}, "1.11.4")
	if err != nil || s.transport.RetryTimeout != 3*time.Minute {
		t.Errorf("from the environment: %v, %v", s.transport.RetryTimeout, err)
	}
	s, err = p.commonSettings(providerModel{RetryTimeout: types.StringValue("90s"), MaxRetries: types.Int64Value(6)}, "1.11.4")
	if err != nil || s.transport.RetryTimeout != 90*time.Second || s.transport.MaxRetries != 6 {
		t.Errorf("the configuration wins: %+v, %v", s.transport, err)
	}

	t.Setenv("IMOPS_RETRY_TIMEOUT", "soon")
	if _, err := p.commonSettings(providerModel{}, "1.11.4"); err == nil || !regexp.MustCompile(`retry_timeout \(IMOPS_RETRY_TIMEOUT\)`).MatchString(err.Error()) {
		t.Errorf("a bad IMOPS_RETRY_TIMEOUT: %v", err)
	}
	// The attribute's documentation says 1m.
	if client.DefaultRetryTimeout != time.Minute {
		t.Errorf("the default retry budget is %v; the docs say 1m", client.DefaultRetryTimeout)
	}
}

// A retry_timeout that is not a duration is refused at plan time, on the attribute.
func TestAccProvider_retryTimeoutValidated(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "imops" {
  retry_timeout = "a while"
}

resource "imops_easemob_roaming_clear" "x" {
  user_id = "alice"
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid duration.*retry_timeout|retry_timeout.*Invalid duration`),
		}},
	})
}
