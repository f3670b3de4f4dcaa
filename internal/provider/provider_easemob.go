package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// easemobClients is the Easemob part of Clients.
type easemobClients struct {
	easemobErr error
}

func easemobSetup() vendorSetup {
	return vendorSetup{
		block:  "easemob",
		schema: easemobBlock,
		configure: func(ctx context.Context, config tfsdk.Config, _ commonSettings, clients *Clients) diag.Diagnostics {
			_, diags := readBlock[easemobModel](ctx, config, "easemob")
			clients.easemobErr = errVendorNotConfigured{errors.New("Easemob operations are not available yet")}
			return diags
		},
	}
}

type easemobModel struct {
	APIURL            types.String  `tfsdk:"api_url"`
	OrgName           types.String  `tfsdk:"org_name"`
	AppName           types.String  `tfsdk:"app_name"`
	ClientID          types.String  `tfsdk:"client_id"`
	ClientSecret      types.String  `tfsdk:"client_secret"`
	AppToken          types.String  `tfsdk:"app_token"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

func easemobBlock() schema.SingleNestedBlock {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Easemob (环信) IM REST API settings. Leave the block out to configure Easemob through " +
			"`IMOPS_EASEMOB_*` environment variables, or not at all. Authenticate with `client_id` and " +
			"`client_secret` (an app token is fetched and renewed for you) or with a ready `app_token`.",
		Attributes: map[string]schema.Attribute{
			"api_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "REST API host of the app's cluster, as shown in the Easemob console, e.g. `https://a1.easemob.com`. " +
					"A path prefix is kept. Must be `https://`, except loopback hosts such as the emulator. Environment: `IMOPS_EASEMOB_API_URL`.",
				Validators: []validator.String{urlListValidator{}},
			},
			"org_name": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "Organisation name of the app. Environment: `IMOPS_EASEMOB_ORG_NAME`.",
			},
			"app_name": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "App name within the organisation. Environment: `IMOPS_EASEMOB_APP_NAME`.",
			},
			"client_id": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "Client ID of the app, used to fetch app tokens. Environment: `IMOPS_EASEMOB_CLIENT_ID`.",
			},
			"client_secret": schema.StringAttribute{
				Optional: true, Sensitive: true, Validators: nonEmpty,
				MarkdownDescription: "Client secret paired with `client_id`; never logged. Environment: `IMOPS_EASEMOB_CLIENT_SECRET`.",
			},
			"app_token": schema.StringAttribute{
				Optional: true, Sensitive: true, Validators: nonEmpty,
				MarkdownDescription: "A ready app token, instead of `client_id` and `client_secret`. It is not renewed, so it must " +
					"outlive the run. Environment: `IMOPS_EASEMOB_APP_TOKEN`.",
			},
			"requests_per_second": schema.Float64Attribute{
				Optional:            true,
				MarkdownDescription: "Client-side ceiling on calls per second, shared by every resource and action of this provider. Default `100`, the documented per-app limit of the roaming-deletion calls. Environment: `IMOPS_EASEMOB_REQUESTS_PER_SECOND`.",
				Validators:          []validator.Float64{float64validator.AtLeast(0.01)},
			},
		},
	}
}
