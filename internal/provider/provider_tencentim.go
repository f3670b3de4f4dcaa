package provider

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

// tencentimClients is the Tencent Cloud IM part of Clients.
type tencentimClients struct {
	tencentim    *tencentim.Client
	tencentimErr error
}

// TencentIM returns the Tencent Cloud IM client, or why there is none.
func (c *Clients) TencentIM() (*tencentim.Client, error) {
	return vendorClient(c, func(c *Clients) (*tencentim.Client, error) { return c.tencentim, c.tencentimErr })
}

// tencentimRegions lists the region names the block accepts.
var tencentimRegions = tencentim.Regions()

func tencentimSetup() vendorSetup {
	return newVendorSetup("tencentim", tencentim.Vendor, tencentimBlock, configureTencentIM,
		func(c *Clients, client *tencentim.Client, err error) { c.tencentim, c.tencentimErr = client, err })
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
				MarkdownDescription: "Base URLs to use instead of the region's domains, tried in order. A path prefix is kept. " +
					baseURLRule + " Environment: `IMOPS_TENCENTIM_API_URLS` (comma-separated).",
				Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.NoNullValues(), listvalidator.ValueStringsAre(urlListValidator{})},
			},
			"requests_per_second": schema.Float64Attribute{
				Optional:            true,
				MarkdownDescription: "Client-side ceiling on calls per second, shared by every resource and action of this provider. Default `200`, the documented limit of the recall call. Environment: `IMOPS_TENCENTIM_REQUESTS_PER_SECOND`.",
				Validators:          []validator.Float64{float64validator.AtLeast(0.01)},
			},
		},
	}
}

// configureTencentIM builds the Tencent Cloud IM client from the block and the environment.
// It returns errVendorNotConfigured (wrapping the user-facing message) when credentials are
// missing or the settings are unknown until apply.
func configureTencentIM(m *tencentimModel, common commonSettings) (*tencentim.Client, error) {
	if m == nil {
		m = &tencentimModel{} // zero values are null: everything from the environment
	}
	if anyUnknown(m.SDKAppID, m.Identifier, m.SecretKey, m.UserSig, m.Region, m.APIURLs, m.RequestsPerSecond) {
		return nil, errSettingsUnknown{tencentim.Vendor}
	}
	sdkAppID, err := int64Setting(m.SDKAppID, "IMOPS_TENCENTIM_SDK_APP_ID")
	if err != nil {
		return nil, err
	}
	identifier := stringSetting(m.Identifier, "IMOPS_TENCENTIM_IDENTIFIER")
	secretKey, userSig := tencentimCredential(m)
	var missing []string
	if sdkAppID == nil {
		missing = append(missing, "sdk_app_id")
	}
	if identifier == "" {
		missing = append(missing, "identifier")
	}
	if secretKey == "" && userSig == "" {
		missing = append(missing, "secret_key")
	}
	if len(missing) > 0 {
		err := vendorOff(tencentim.Vendor, "tencentim", missing, "IMOPS_TENCENTIM_")
		if slices.Contains(missing, "secret_key") {
			err = fmt.Errorf("%w (instead of secret_key, a ready user_sig may be given: IMOPS_TENCENTIM_USER_SIG)", err)
		}
		return nil, errVendorNotConfigured{err}
	}
	if secretKey != "" && userSig != "" {
		return nil, errors.New("both secret_key and user_sig are set for Tencent Cloud IM; choose one: secret_key lets the provider " +
			"generate and renew UserSigs, user_sig is a ready UserSig that is used until it expires")
	}
	if *sdkAppID < 1 || *sdkAppID > math.MaxUint32 {
		return nil, fmt.Errorf("sdk_app_id must be between 1 and 4294967295, got %d", *sdkAppID)
	}
	baseURLs, err := regionalURLs(tencentim.Vendor, m.APIURLs, m.Region, "IMOPS_TENCENTIM_", tencentim.DefaultRegion, tencentim.RegionURLs)
	if err != nil {
		return nil, err
	}
	transport, err := common.transportConfig(baseURLs, m.RequestsPerSecond, "IMOPS_TENCENTIM_REQUESTS_PER_SECOND")
	if err != nil {
		return nil, err
	}
	return tencentim.New(tencentim.Config{
		SDKAppID:   uint64(*sdkAppID),
		Identifier: identifier,
		SecretKey:  secretKey,
		UserSig:    userSig,
		Transport:  transport,
	})
}

// tencentimCredential returns the secret key and the ready UserSig. A credential written in
// the block wins over the other kind from the environment, so a CI variable cannot clash with
// a configuration; both kinds from the same place are left for the caller to refuse.
func tencentimCredential(m *tencentimModel) (secretKey, userSig string) {
	secretKey = stringSetting(m.SecretKey, "IMOPS_TENCENTIM_SECRET_KEY")
	userSig = stringSetting(m.UserSig, "IMOPS_TENCENTIM_USER_SIG")
	switch {
	case !m.SecretKey.IsNull() && m.UserSig.IsNull():
		userSig = ""
	case !m.UserSig.IsNull() && m.SecretKey.IsNull():
		secretKey = ""
	}
	return secretKey, userSig
}
