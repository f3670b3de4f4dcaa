package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

// Clients is what Configure hands to every resource and action: one client per configured
// vendor, built once and shared, so the per-vendor rate limiters cover every operation that
// Terraform runs in parallel.
type Clients struct {
	rongcloudClients
	easemobClients
	tencentimClients
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

// vendorStatus reports, for the vendor of an operation, the app its client acts on (prefixed
// with the vendor, "RongCloud app key k1"), or "" and the reason there is no client.
func (c *Clients) vendorStatus(vendor string) (app string, err error) {
	if c == nil {
		return "", nil
	}
	switch vendor {
	case rongcloud.Vendor:
		if c.rongcloud != nil {
			return "RongCloud app key " + c.rongcloud.App(), nil
		}
		return "", c.rongcloudErr
	case easemob.Vendor:
		if c.easemob != nil {
			return "Easemob app " + c.easemob.App(), nil
		}
		return "", c.easemobErr
	case tencentim.Vendor:
		if c.tencentim != nil {
			return "Tencent Cloud IM SDKAppID " + c.tencentim.App(), nil
		}
		return "", c.tencentimErr
	}
	return "", nil
}

// planWarning says, at plan time, that an operation of vendor will fail at apply because
// the vendor has no credentials. Settings that are merely unknown until apply give none.
func (c *Clients) planWarning(vendor string) error {
	_, err := c.vendorStatus(vendor)
	var notConfigured errVendorNotConfigured
	if errors.As(err, &notConfigured) {
		return err
	}
	return nil
}

// app names the vendor app an operation of vendor would act on; false while the vendor has
// no client (not configured, or settings unknown until apply).
func (c *Clients) app(vendor string) (string, bool) {
	app, _ := c.vendorStatus(vendor)
	return app, app != ""
}

// addPlanWarning adds planWarning's finding, if any, to diags. A vendor whose settings come
// only from the environment and are invalid there (an api_url with credentials, say) gets an
// error instead: Configure leaves those to the operations that use the vendor, and the run
// must stop at plan, before any call.
func (c *Clients) addPlanWarning(op *Operation, diags *diag.Diagnostics) {
	if err := c.planWarning(op.Vendor); err != nil {
		diags.AddWarning(op.Vendor+" is not configured",
			fmt.Sprintf("%v.\n\nPlanning goes on, but %s will fail when it runs unless these settings are present then.", err, op.TypeName()))
		return
	}
	var unknown errSettingsUnknown
	if _, err := c.vendorStatus(op.Vendor); err != nil && !errors.As(err, &unknown) {
		diags.AddError("Invalid "+op.Vendor+" configuration", fmt.Sprintf("%v.\n\n%s cannot run with these settings.", err, op.TypeName()))
	}
}

// clientsFromProviderData unpacks what the provider's Configure handed to resources and
// actions. Nil means the provider is not configured yet (validation runs before Configure).
func clientsFromProviderData(data any) (*Clients, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	clients, ok := data.(*Clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *Clients, got %T. This is a bug in the provider.", data))
	}
	return clients, diags
}

// vendorClient returns a vendor's client, or the reason there is none.
func vendorClient[C any](c *Clients, pick func(*Clients) (*C, error)) (*C, error) {
	if c == nil {
		return nil, errors.New("the provider has not been configured; this is a bug in the provider")
	}
	client, err := pick(c)
	if client == nil && err == nil {
		err = errors.New("the vendor's settings were not known when the provider was configured")
	}
	return client, err
}

// tflogLogger sends the transport's (already redacted) lines to Terraform's log.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}
