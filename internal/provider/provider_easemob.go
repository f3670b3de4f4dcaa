package provider

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// easemobClients is the Easemob part of Clients.
type easemobClients struct {
	easemob    *easemob.Client
	easemobErr error
}

// Easemob returns the Easemob client, or why there is none.
func (c *Clients) Easemob() (*easemob.Client, error) {
	return vendorClient(c, func(c *Clients) (*easemob.Client, error) { return c.easemob, c.easemobErr })
}

func easemobSetup() vendorSetup {
	return newVendorSetup("easemob", easemob.Vendor, easemobBlock, configureEasemob,
		func(c *Clients, client *easemob.Client, err error) { c.easemob, c.easemobErr = client, err })
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
					"A path prefix is kept. " + baseURLRule + " Environment: `IMOPS_EASEMOB_API_URL`.",
				Validators: []validator.String{urlListValidator{}},
			},
			"org_name": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "Organization name of the app. Environment: `IMOPS_EASEMOB_ORG_NAME`.",
			},
			"app_name": schema.StringAttribute{
				Optional: true, Validators: nonEmpty,
				MarkdownDescription: "App name within the organization. Environment: `IMOPS_EASEMOB_APP_NAME`.",
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

// configureEasemob builds the Easemob client from the block and the environment. It returns
// errVendorNotConfigured (wrapping the user-facing message) when settings are missing or not
// known until apply. There is no default api_url: the host depends on the app's cluster.
func configureEasemob(m *easemobModel, common commonSettings) (*easemob.Client, error) {
	if m == nil {
		m = &easemobModel{} // zero values are null: everything from the environment
	}
	if anyUnknown(m.APIURL, m.OrgName, m.AppName, m.ClientID, m.ClientSecret, m.AppToken, m.RequestsPerSecond) {
		return nil, errSettingsUnknown{easemob.Vendor}
	}
	apiURL := stringSetting(m.APIURL, "IMOPS_EASEMOB_API_URL")
	orgName := stringSetting(m.OrgName, "IMOPS_EASEMOB_ORG_NAME")
	appName := stringSetting(m.AppName, "IMOPS_EASEMOB_APP_NAME")
	clientID, clientSecret, appToken := easemobCredentials(m)
	var missing []string
	for _, setting := range []struct{ name, value string }{{"api_url", apiURL}, {"org_name", orgName}, {"app_name", appName}} {
		if setting.value == "" {
			missing = append(missing, setting.name)
		}
	}
	if appToken == "" {
		if clientID == "" {
			missing = append(missing, "client_id")
		}
		if clientSecret == "" {
			missing = append(missing, "client_secret")
		}
	}
	if len(missing) > 0 {
		err := vendorOff(easemob.Vendor, "easemob", missing, "IMOPS_EASEMOB_")
		if slices.Contains(missing, "client_id") || slices.Contains(missing, "client_secret") {
			err = fmt.Errorf("%w (instead of client_id and client_secret, a ready app_token may be given: IMOPS_EASEMOB_APP_TOKEN)", err)
		}
		return nil, errVendorNotConfigured{err}
	}
	if appToken != "" && (clientID != "" || clientSecret != "") {
		return nil, errors.New("both app_token and client_id/client_secret are set for Easemob; choose one: client_id and " +
			"client_secret let the provider fetch and renew app tokens, app_token is a ready token that is used until it expires")
	}
	baseURLs, err := parseBaseURLs([]string{apiURL})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", settingName(m.APIURL, "api_url", "IMOPS_EASEMOB_API_URL"), err)
	}
	transport, err := common.transportConfig(baseURLs, m.RequestsPerSecond, "IMOPS_EASEMOB_REQUESTS_PER_SECOND")
	if err != nil {
		return nil, err
	}
	return easemob.New(easemob.Config{
		OrgName:      orgName,
		AppName:      appName,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		AppToken:     appToken,
		Concurrency:  common.concurrency,
		Transport:    transport,
	})
}

// easemobCredentials returns the client credentials and the ready app token. A kind of
// credential written in the block wins over the other kind from the environment, so a CI
// variable cannot clash with a configuration; both kinds from the same place are refused by
// the caller.
func easemobCredentials(m *easemobModel) (clientID, clientSecret, appToken string) {
	clientID = stringSetting(m.ClientID, "IMOPS_EASEMOB_CLIENT_ID")
	clientSecret = stringSetting(m.ClientSecret, "IMOPS_EASEMOB_CLIENT_SECRET")
	appToken = stringSetting(m.AppToken, "IMOPS_EASEMOB_APP_TOKEN")
	blockHasClient := !m.ClientID.IsNull() || !m.ClientSecret.IsNull()
	switch {
	case blockHasClient && m.AppToken.IsNull():
		appToken = ""
	case !m.AppToken.IsNull() && !blockHasClient:
		clientID, clientSecret = "", ""
	}
	return clientID, clientSecret, appToken
}
