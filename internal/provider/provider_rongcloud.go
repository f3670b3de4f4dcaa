package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// rongcloudClients is the RongCloud part of Clients.
type rongcloudClients struct {
	rongcloud    *rongcloud.Client
	rongcloudErr error
}

// RongCloud returns the RongCloud client, or why there is none.
func (c *Clients) RongCloud() (*rongcloud.Client, error) {
	return vendorClient(c, func(c *Clients) (*rongcloud.Client, error) { return c.rongcloud, c.rongcloudErr })
}

func rongcloudSetup() vendorSetup {
	return newVendorSetup("rongcloud", rongcloud.Vendor, rongcloudBlock, configureRongCloud,
		func(c *Clients, client *rongcloud.Client, err error) { c.rongcloud, c.rongcloudErr = client, err })
}

type rongcloudModel struct {
	AppKey            types.String  `tfsdk:"app_key"`
	AppSecret         types.String  `tfsdk:"app_secret"`
	Region            types.String  `tfsdk:"region"`
	APIURLs           types.List    `tfsdk:"api_urls"`
	RequestsPerSecond types.Float64 `tfsdk:"requests_per_second"`
}

func rongcloudBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "RongCloud (融云) server API credentials. Leave the block out to configure RongCloud " +
			"through `IMOPS_RONGCLOUD_*` environment variables, or not at all.",
		Attributes: map[string]schema.Attribute{
			"app_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "App Key from the RongCloud console. Environment: `IMOPS_RONGCLOUD_APP_KEY`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"app_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "App Secret paired with the App Key; used only to sign requests, never sent or logged. Environment: `IMOPS_RONGCLOUD_APP_SECRET`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Data centre of the app, as shown on the console's App Key page: one of " +
					"`" + strings.Join(rongcloud.Regions(), "`, `") + "`. Default `" + rongcloud.DefaultRegion + "`. " +
					"Its primary domain is tried first, then its backup. Environment: `IMOPS_RONGCLOUD_REGION`.",
				Validators: []validator.String{stringvalidator.OneOf(rongcloud.Regions()...)},
			},
			"api_urls": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Base URLs to use instead of the region's domains, tried in order on network errors and 5xx. " +
					"A path prefix (an API gateway) is kept. " + baseURLRule + " " +
					"Environment: `IMOPS_RONGCLOUD_API_URLS` (comma-separated).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.NoNullValues(), listvalidator.ValueStringsAre(urlListValidator{})},
			},
			"requests_per_second": schema.Float64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Client-side ceiling on calls per second, shared by every resource and action of this provider. "+
					"Default `%d`, the documented per-app limit; group extension deletions are further held to %d/s. Environment: `IMOPS_RONGCLOUD_REQUESTS_PER_SECOND`.",
					rongcloud.DefaultRequestsPerSecond, rongcloud.GroupExtensionDeletesPerSecond),
				Validators: []validator.Float64{float64validator.AtLeast(0.01)},
			},
		},
	}
}

// configureRongCloud builds the RongCloud client from the block and the environment. It
// returns errVendorNotConfigured (wrapping the user-facing message) when credentials are
// missing or the settings are unknown until apply.
func configureRongCloud(m *rongcloudModel, common commonSettings) (*rongcloud.Client, error) {
	if m == nil {
		m = &rongcloudModel{} // zero values are null: everything from the environment
	}
	if anyUnknown(m.AppKey, m.AppSecret, m.Region, m.APIURLs, m.RequestsPerSecond) {
		return nil, errSettingsUnknown{rongcloud.Vendor}
	}
	appKey := stringSetting(m.AppKey, "IMOPS_RONGCLOUD_APP_KEY")
	appSecret := stringSetting(m.AppSecret, "IMOPS_RONGCLOUD_APP_SECRET")
	var missing []string
	if appKey == "" {
		missing = append(missing, "app_key")
	}
	if appSecret == "" {
		missing = append(missing, "app_secret")
	}
	if len(missing) > 0 {
		return nil, errVendorNotConfigured{vendorOff("RongCloud", "rongcloud", missing, "IMOPS_RONGCLOUD_")}
	}
	baseURLs, err := regionalURLs(rongcloud.Vendor, m.APIURLs, m.Region, "IMOPS_RONGCLOUD_", rongcloud.DefaultRegion, rongcloud.RegionURLs)
	if err != nil {
		return nil, err
	}
	transport, err := common.transportConfig(baseURLs, m.RequestsPerSecond, "IMOPS_RONGCLOUD_REQUESTS_PER_SECOND")
	if err != nil {
		return nil, err
	}
	return rongcloud.New(rongcloud.Config{
		AppKey:      appKey,
		AppSecret:   appSecret,
		Concurrency: common.concurrency,
		Transport:   transport,
	})
}
