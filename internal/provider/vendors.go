package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// vendorSetup is one vendor's part of the provider configuration: its block and how to turn
// the block (and the environment) into a client. Each vendor keeps all of it in its own
// provider_<vendor>.go file.
type vendorSetup struct {
	block     string
	schema    func() schema.SingleNestedBlock
	configure func(ctx context.Context, config tfsdk.Config, common commonSettings, clients *Clients) diag.Diagnostics
}

// newVendorSetup wires a vendor's block to its client: read the block, build the client from
// it and the environment, keep the client or the reason there is none in Clients.
func newVendorSetup[M any, C any](block, vendor string, blockSchema func() schema.SingleNestedBlock,
	build func(*M, commonSettings) (*C, error), keep func(*Clients, *C, error)) vendorSetup {
	return vendorSetup{
		block:  block,
		schema: blockSchema,
		configure: func(ctx context.Context, config tfsdk.Config, common commonSettings, clients *Clients) diag.Diagnostics {
			model, diags := readBlock[M](ctx, config, block)
			if diags.HasError() {
				return diags
			}
			client, err := build(model, common)
			keep(clients, client, err)
			return append(diags, blockDiagnostics(block, vendor, model != nil, err)...)
		},
	}
}

func vendorSetups() []vendorSetup {
	return []vendorSetup{rongcloudSetup(), easemobSetup(), tencentimSetup()}
}

// errVendorNotConfigured marks missing credentials: not an error until an operation of that
// vendor runs, and a warning when one is planned.
type errVendorNotConfigured struct{ error }

// errSettingsUnknown marks settings that come from other resources and are known only at
// apply, when the provider is configured again; planning goes ahead without a word.
type errSettingsUnknown struct{ vendor string }

func (e errSettingsUnknown) Error() string {
	return e.vendor + " settings are not known until apply"
}

// readBlock reads a vendor block; nil means the block is absent from the configuration.
func readBlock[M any](ctx context.Context, config tfsdk.Config, block string) (*M, diag.Diagnostics) {
	var model *M
	diags := config.GetAttribute(ctx, path.Root(block), &model)
	return model, diags
}

// blockDiagnostics turns a vendor setup error into a configuration error when the user wrote
// the block (a typo there should stop the run at once). Missing credentials, or settings
// that come only from the environment, wait until the vendor is actually used.
func blockDiagnostics(block, vendor string, present bool, err error) diag.Diagnostics {
	var diags diag.Diagnostics
	var (
		notConfigured errVendorNotConfigured
		unknown       errSettingsUnknown
	)
	if err == nil || !present || errors.As(err, &notConfigured) || errors.As(err, &unknown) {
		return diags
	}
	diags.AddAttributeError(path.Root(block), "Invalid "+vendor+" configuration", err.Error())
	return diags
}
