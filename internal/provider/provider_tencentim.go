package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// tencentimClients is the Tencent Cloud IM part of Clients.
type tencentimClients struct {
	tencentimErr error
}

// tencentimRegions lists the region names the block accepts.
var tencentimRegions = []string{"china", "singapore", "seoul", "tokyo", "frankfurt", "mumbai", "silicon_valley", "jakarta"}

func tencentimSetup() vendorSetup {
	return vendorSetup{
		block:  "tencentim",
		schema: tencentimBlock,
		configure: func(ctx context.Context, config tfsdk.Config, _ commonSettings, clients *Clients) diag.Diagnostics {
			_, diags := readBlock[tencentimModel](ctx, config, "tencentim")
			clients.tencentimErr = errVendorNotConfigured{errors.New("Tencent Cloud IM operations are not available yet")}
			return diags
		},
	}
}

type tencentimModel struct {
	SDKAppID          types.Int64   `tfsdk:"sdk_app_id"`
	Identifier        types.String  `tfsdk:"identifier"`
	SecretKey         types.String  `tfsdk:"secret_key"`
	UserSig           types.String  `tfsdk:"user_sig"`
	Region            types.String  `tfsdk:"region"`
	APIURLs           types.List    `tfsdk:"api_urls"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

func tencentimBlock() schema.SingleNestedBlock {
	nonEmpty := []validator.String{stringvalidator.LengthAtLeast(1)}
	return schema.SingleNestedBlock{
		MarkdownDescription: "Tencent Cloud IM (Chat) REST API settings. Leave the block out to configure Tencent Cloud IM " +
			"through `IMOPS_TENCENTIM_*` environment variables, or not at all. Give `secret_key` (a UserSig is " +
			"generated and renewed for you) or a ready `user_sig`.",
		Attributes: map[string]schema.Attribute{
			"sdk_app_id": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "SDKAppID of the app, from the Chat console. Environment: `IMOPS_TENCENTIM_SDK_APP_ID`.",
				Validators:          []validator.Int64{int64validator.Between(1, 4294967295)},
			},
			"identifier": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "An app administrator account; the calls are made as this account. Environment: `IMOPS_TENCENTIM_IDENTIFIER`.",
			},
			"secret_key": schema.StringAttribute{
				Optional: true, Sensitive: true, Validators: nonEmpty,
				MarkdownDescription: "The app's key for signing UserSigs; never sent or logged. Environment: `IMOPS_TENCENTIM_SECRET_KEY`.",
			},
			"user_sig": schema.StringAttribute{
				Optional: true, Sensitive: true, Validators: nonEmpty,
				MarkdownDescription: "A ready UserSig for `identifier`, instead of `secret_key`. It is not renewed, so it must outlive the run. Environment: `IMOPS_TENCENTIM_USER_SIG`.",
			},
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Data centre of the app: one of `china`, `singapore`, `seoul`, `tokyo`, `frankfurt`, `mumbai`, " +
					"`silicon_valley`, `jakarta`. Default `china`. Its primary domain is tried first, then its backup. Environment: `IMOPS_TENCENTIM_REGION`.",
				Validators: []validator.String{stringvalidator.OneOf(tencentimRegions...)},
			},
			"api_urls": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Base URLs to use instead of the region's domains, tried in order. A path prefix is kept. Must be " +
					"`https://`, except loopback hosts such as the emulator. Environment: `IMOPS_TENCENTIM_API_URLS` (comma-separated).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(urlListValidator{})},
			},
			"requests_per_second": schema.Float64Attribute{
				Optional:            true,
				MarkdownDescription: "Client-side ceiling on calls per second, shared by every resource and action of this provider. Default `200`, the documented limit of the recall call. Environment: `IMOPS_TENCENTIM_REQUESTS_PER_SECOND`.",
				Validators:          []validator.Float64{float64validator.AtLeast(0.01)},
			},
		},
	}
}
