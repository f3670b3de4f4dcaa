// Package provider is the Terraform surface of imops: the provider configuration and the
// adapters that turn each declared operation into a resource and an action.
package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/imops/terraform-provider-imops/internal/client"
)

var (
	_ provider.Provider            = (*imopsProvider)(nil)
	_ provider.ProviderWithActions = (*imopsProvider)(nil)
)

// New returns a constructor for the provider at the given version, as providerserver wants.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &imopsProvider{version: version} }
}

type imopsProvider struct {
	version string
	// clients is what Configure built, for the RPCs the provider's own server answers
	// (server.go).
	clients atomic.Pointer[Clients]
}

func (p *imopsProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "imops"
	resp.Version = p.version
}

func (p *imopsProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	blocks := map[string]schema.Block{}
	for _, v := range vendorSetups() {
		blocks[v.block] = v.schema()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Day-2 message operations on RongCloud, Easemob and Tencent Cloud IM: delete or recall " +
			"messages and message extensions from a reviewed Terraform run. Configure only the vendors you use; " +
			"each setting falls back to an `IMOPS_…` environment variable.",
		Attributes: map[string]schema.Attribute{
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a failed vendor call is sent again (network errors, 5xx and rate-limit " +
					"answers only). Default `4`. Environment: `IMOPS_MAX_RETRIES`.",
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Time limit for one vendor request, as a Go duration such as `30s`. Default `30s`. Environment: `IMOPS_REQUEST_TIMEOUT`.",
				Validators:          []validator.String{durationValidator{}},
			},
			"max_concurrent_requests": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many calls of one large operation may be in flight at once; the per-vendor rate " +
					"limit paces them further. Default `10`. Environment: `IMOPS_MAX_CONCURRENT_REQUESTS`.",
				Validators: []validator.Int64{int64validator.Between(1, 100)},
			},
		},
		Blocks: blocks,
	}
}

// providerModel is the provider-wide part of the configuration; each vendor reads its own
// block (see vendorSetup).
type providerModel struct {
	MaxRetries            types.Int64  `tfsdk:"max_retries"`
	RequestTimeout        types.String `tfsdk:"request_timeout"`
	MaxConcurrentRequests types.Int64  `tfsdk:"max_concurrent_requests"`
}

// commonSettings are the provider-wide values every vendor client shares.
type commonSettings struct {
	transport   client.Settings
	userAgent   string
	concurrency int
}

func (p *imopsProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_retries"), &cfg.MaxRetries)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("request_timeout"), &cfg.RequestTimeout)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_concurrent_requests"), &cfg.MaxConcurrentRequests)...)
	if resp.Diagnostics.HasError() {
		return
	}
	common, err := p.commonSettings(cfg, req.TerraformVersion)
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	clients := &Clients{}
	for _, v := range vendorSetups() {
		resp.Diagnostics.Append(v.configure(ctx, req.Config, common, clients)...)
	}
	resp.ResourceData = clients
	resp.ActionData = clients
	p.clients.Store(clients)
}

func (p *imopsProvider) commonSettings(cfg providerModel, terraformVersion string) (commonSettings, error) {
	s := commonSettings{
		userAgent: fmt.Sprintf("terraform-provider-imops/%s (+https://registry.terraform.io/providers/imops/imops) Terraform/%s", p.version, terraformVersion),
	}
	retries, err := int64Setting(cfg.MaxRetries, "IMOPS_MAX_RETRIES")
	if err != nil {
		return s, err
	}
	if retries != nil {
		if *retries < 0 || *retries > 20 {
			return s, fmt.Errorf("max_retries must be between 0 and 20, got %d", *retries)
		}
		s.transport.MaxRetries, s.transport.NoRetries = int(*retries), *retries == 0
	}
	if timeout := stringSetting(cfg.RequestTimeout, "IMOPS_REQUEST_TIMEOUT"); timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("request_timeout must be a positive duration such as 30s, got %q", timeout)
		}
		s.transport.RequestTimeout = d
	}
	concurrency, err := int64Setting(cfg.MaxConcurrentRequests, "IMOPS_MAX_CONCURRENT_REQUESTS")
	if err != nil {
		return s, err
	}
	if concurrency != nil {
		if *concurrency < 1 || *concurrency > 100 {
			return s, fmt.Errorf("max_concurrent_requests must be between 1 and 100, got %d", *concurrency)
		}
		s.concurrency = int(*concurrency)
	}
	return s, nil
}

func (p *imopsProvider) Resources(_ context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, op := range operations() {
		out = append(out, func() resource.Resource { return newOperationResource(op) })
	}
	return out
}

func (p *imopsProvider) Actions(_ context.Context) []func() action.Action {
	var out []func() action.Action
	for _, op := range operations() {
		out = append(out, func() action.Action { return newOperationAction(op) })
	}
	return out
}

func (p *imopsProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}

// stringSetting returns the configured value, else the environment variable, else "".
// An unknown value counts as unset here; Configure runs again at apply with it known.
func stringSetting(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func int64Setting(v types.Int64, env string) (*int64, error) {
	if !v.IsNull() && !v.IsUnknown() {
		n := v.ValueInt64()
		return &n, nil
	}
	raw := os.Getenv(env)
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s must be a whole number, got %q", env, raw)
	}
	return &n, nil
}

func float64Setting(v types.Float64, env string) (float64, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueFloat64(), nil
	}
	raw := os.Getenv(env)
	if raw == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be a number, got %q", env, raw)
	}
	return f, nil
}

// listSetting returns the configured list, else the comma-separated environment variable.
// A list that is set but names nothing usable is an error, never "unset": falling back to a
// default would send the calls somewhere the user did not point them (a live data centre
// instead of a gateway or the emulator). An element still unknown reports unknown.
func listSetting(v types.List, env string) (values []string, unknown bool, err error) {
	if !v.IsNull() && !v.IsUnknown() {
		for i, e := range v.Elements() {
			s, ok := e.(types.String)
			switch {
			case !ok:
				return nil, false, fmt.Errorf("element %d is not a string", i)
			case s.IsUnknown():
				return nil, true, nil
			case s.IsNull() || strings.TrimSpace(s.ValueString()) == "":
				return nil, false, fmt.Errorf("element %d is empty; remove it or give a URL", i)
			}
			values = append(values, s.ValueString())
		}
		if len(values) == 0 {
			return nil, false, errors.New("the list is empty; remove the setting or give at least one URL")
		}
		return values, false, nil
	}
	raw, set := os.LookupEnv(env)
	if !set || strings.TrimSpace(raw) == "" {
		return nil, false, nil
	}
	for _, part := range strings.Split(raw, ",") {
		if part = strings.TrimSpace(part); part != "" {
			values = append(values, part)
		}
	}
	if len(values) == 0 {
		return nil, false, fmt.Errorf("%s=%q names no URL", env, raw)
	}
	return values, false, nil
}

// anyUnknown reports whether some setting is still unknown at plan time.
func anyUnknown(values ...interface{ IsUnknown() bool }) bool {
	for _, v := range values {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// regionalURLs picks the base URLs: what the configuration says wins over the environment,
// whichever of the two settings it uses, so a leftover IMOPS_*_API_URLS cannot redirect a
// block that names its region. In order: api_urls, region, <envPrefix>API_URLS,
// <envPrefix>REGION, then defaultRegion's domains (primary, then backup).
func regionalURLs(vendor string, apiURLs types.List, region types.String, envPrefix, defaultRegion string, domains func(string) ([]string, error)) ([]*url.URL, error) {
	var (
		raw     []string
		unknown bool
		err     error
	)
	if region.IsNull() || !apiURLs.IsNull() {
		// api_urls from the configuration, else (no region configured either) from the environment.
		if raw, unknown, err = listSetting(apiURLs, envPrefix+"API_URLS"); err != nil {
			return nil, fmt.Errorf("api_urls: %w", err)
		}
		if unknown {
			return nil, errSettingsUnknown{vendor}
		}
	}
	if len(raw) == 0 {
		name := stringSetting(region, envPrefix+"REGION")
		if name == "" {
			name = defaultRegion
		}
		if raw, err = domains(name); err != nil {
			return nil, err
		}
	}
	urls, err := parseBaseURLs(raw)
	if err != nil {
		return nil, fmt.Errorf("api_urls: %w", err)
	}
	return urls, nil
}

// transportConfig is the shared transport configuration for one vendor, with the vendor's own
// requests_per_second (or its environment variable; zero keeps the vendor's default).
func (c commonSettings) transportConfig(baseURLs []*url.URL, requestsPerSecond types.Float64, env string) (client.Config, error) {
	perSecond, err := float64Setting(requestsPerSecond, env)
	if err != nil {
		return client.Config{}, err
	}
	// Zero means unset. Anything else must be a real positive rate: a negative or NaN value
	// would switch the limiter off, and an infinite one is no limit either.
	if perSecond != 0 && !(perSecond > 0 && !math.IsInf(perSecond, 0)) {
		return client.Config{}, fmt.Errorf("requests_per_second (%s) must be a positive number, got %v", env, perSecond)
	}
	settings := c.transport
	settings.RequestsPerSecond = perSecond
	return client.Config{BaseURLs: baseURLs, UserAgent: c.userAgent, Settings: settings, Logger: tflogLogger{}}, nil
}

// parseBaseURLs checks each URL: https, or plain http only towards this machine (the emulator).
func parseBaseURLs(raw []string) ([]*url.URL, error) {
	var out []*url.URL
	for _, s := range raw {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%q is not an absolute URL", s)
		}
		switch u.Scheme {
		case "https":
		case "http":
			if !isLoopback(u.Hostname()) {
				return nil, fmt.Errorf("%q uses plain http; only https is allowed, except for loopback hosts such as 127.0.0.1 (the emulator)", s)
			}
		default:
			return nil, fmt.Errorf("%q must start with https://", s)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%q must not carry a query or fragment", s)
		}
		out = append(out, u)
	}
	return out, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// urlListValidator checks api_urls entries at validate time, when they are known.
type urlListValidator struct{}

func (urlListValidator) Description(context.Context) string {
	return "each URL must be https://, or http:// to a loopback host"
}
func (v urlListValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (urlListValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := parseBaseURLs([]string{req.ConfigValue.ValueString()}); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid URL", err.Error())
	}
}

// durationValidator checks Go duration strings.
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a positive Go duration such as 30s or 1m"
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration", fmt.Sprintf("%q is not a positive duration such as 30s.", req.ConfigValue.ValueString()))
	}
}
