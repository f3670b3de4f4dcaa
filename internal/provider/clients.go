package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// Clients is what Configure hands to every resource and action: one client per configured
// vendor, built once and shared, so the per-vendor rate limiters cover every operation that
// Terraform runs in parallel.
type Clients struct {
	rongcloud    *rongcloud.Client
	rongcloudErr error
}

// vendorOff explains why a vendor cannot be used, naming the settings that are missing.
func vendorOff(vendor, block string, missing []string, envPrefix string) error {
	envs := make([]string, len(missing))
	for i, name := range missing {
		envs[i] = envPrefix + strings.ToUpper(name)
	}
	return fmt.Errorf("%s is not configured: set %s in the provider's %s block, or the environment variable(s) %s",
		vendor, strings.Join(missing, " and "), block, strings.Join(envs, ", "))
}

// RongCloud returns the RongCloud client, or why there is none.
func (c *Clients) RongCloud() (*rongcloud.Client, error) {
	if c == nil {
		return nil, errNotConfigured
	}
	if c.rongcloud == nil {
		return nil, c.rongcloudErr
	}
	return c.rongcloud, nil
}

var errNotConfigured = fmt.Errorf("the provider has not been configured yet; this is a bug in the provider or a run with unknown provider settings")

// tflogLogger sends the transport's (already redacted) lines to Terraform's log.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}
