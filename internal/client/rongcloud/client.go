// Package rongcloud is a thin client for the RongCloud server API calls the provider makes:
// request signing, the data-centre domains, and typed errors, over the shared transport.
package rongcloud

import (
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RongCloud's signature scheme is defined as SHA1; not our choice.
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// Vendor is the platform's name in errors and logs.
const Vendor = "RongCloud"

// Documented limits.
const (
	// DefaultRequestsPerSecond is the per-app ceiling for the message-extension calls.
	DefaultRequestsPerSecond = 100
	// GroupExtensionDeletesPerSecond is the share of that ceiling group conversations may use.
	GroupExtensionDeletesPerSecond = 20
	// ExtraKeysPerCall is the most extension keys one deletion call accepts.
	ExtraKeysPerCall = 100
	// DefaultConcurrency is how many chunk calls may be in flight at once.
	DefaultConcurrency = 10
)

// regionDomains maps each data centre to its primary and backup API hosts.
var regionDomains = map[string][2]string{
	"beijing":       {"api.rong-api.com", "api-b.rong-api.com"},
	"singapore":     {"api.sg-light-api.com", "api-b.sg-light-api.com"},
	"singapore_b":   {"api.sg-b-light-api.com", "api-b.sg-b-light-api.com"},
	"north_america": {"api.us-light-api.com", "api-b.us-light-api.com"},
	"saudi_arabia":  {"api.sau-light-api.com", "api-b.sau-light-api.com"},
}

// DefaultRegion is the data centre used when none is configured.
const DefaultRegion = "beijing"

// Regions lists the data-centre names accepted in the provider configuration, sorted.
func Regions() []string {
	names := make([]string, 0, len(regionDomains))
	for name := range regionDomains {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// RegionURLs returns the primary and backup base URLs of a data centre.
func RegionURLs(region string) ([]string, error) {
	domains, ok := regionDomains[region]
	if !ok {
		return nil, fmt.Errorf("unknown RongCloud region %q (expected one of %s)", region, strings.Join(Regions(), ", "))
	}
	return []string{"https://" + domains[0], "https://" + domains[1]}, nil
}

// Config holds what a Client needs.
type Config struct {
	AppKey    string
	AppSecret string
	// Transport settings; BaseURLs come from the region or the explicit api_urls.
	Transport client.Config
	// Concurrency bounds chunk calls in flight (default DefaultConcurrency).
	Concurrency int
	// GroupDeletesPerSecond overrides GroupExtensionDeletesPerSecond (tests, or a raised quota).
	GroupDeletesPerSecond float64
	// Now and Nonce are replaced in tests to pin the signature.
	Now   func() time.Time
	Nonce func() string
}

// Client calls the RongCloud server API for one app key.
type Client struct {
	transport    *client.Transport
	appKey       string
	appSecret    string
	groupLimiter *client.AdaptiveLimiter
	concurrency  int
	now          func() time.Time
	nonce        func() string
}

// New builds a client; the app secret is registered with the redactor before anything is sent.
func New(cfg Config) (*Client, error) {
	tc := cfg.Transport
	tc.Vendor = Vendor
	tc.AddressSettings = "region or api_urls"
	if tc.Redactor == nil {
		tc.Redactor = client.NewRedactor()
	}
	tc.Redactor.Add(cfg.AppSecret)
	if tc.Settings.RequestsPerSecond == 0 {
		tc.Settings.RequestsPerSecond = DefaultRequestsPerSecond
	}
	transport, err := client.NewTransport(tc)
	if err != nil {
		return nil, err
	}
	c := &Client{
		transport: transport, appKey: cfg.AppKey, appSecret: cfg.AppSecret,
		concurrency: cfg.Concurrency, now: cfg.Now, nonce: cfg.Nonce,
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultConcurrency
	}
	groupRate := cfg.GroupDeletesPerSecond
	if groupRate <= 0 {
		groupRate = min(GroupExtensionDeletesPerSecond, tc.Settings.RequestsPerSecond)
	}
	c.groupLimiter = client.NewAdaptiveLimiter(groupRate, tc.Sleep)
	if c.now == nil {
		c.now = time.Now
	}
	if c.nonce == nil {
		c.nonce = randomNonce
	}
	return c, nil
}

// Signature computes RongCloud's request signature: hex SHA1 of secret, nonce and timestamp
// concatenated. The emulator uses it too, to check what clients send.
func Signature(appSecret, nonce, timestamp string) string {
	sum := sha1.Sum([]byte(appSecret + nonce + timestamp)) //nolint:gosec // vendor-defined scheme
	return hex.EncodeToString(sum[:])
}

// post sends a signed form to path and checks RongCloud's {code, errorMessage} answer.
func (c *Client) post(ctx context.Context, operation, path string, form url.Values, policy client.RetryPolicy, limiters ...*client.AdaptiveLimiter) error {
	_, err := c.transport.Do(ctx, &client.Request{
		Operation:     operation,
		Method:        http.MethodPost,
		Path:          path,
		Body:          []byte(form.Encode()),
		ContentType:   "application/x-www-form-urlencoded",
		Policy:        policy,
		ExtraLimiters: limiters,
		Prepare:       c.sign,
		Check:         checkResponse,
	})
	return err
}

// sign adds fresh auth headers to every attempt: a retried request must not reuse a nonce.
func (c *Client) sign(_ context.Context, r *http.Request) error {
	nonce := c.nonce()
	timestamp := strconv.FormatInt(c.now().UnixMilli(), 10)
	r.Header.Set("App-Key", c.appKey)
	r.Header.Set("Nonce", nonce)
	r.Header.Set("Timestamp", timestamp)
	r.Header.Set("Signature", Signature(c.appSecret, nonce, timestamp))
	r.Header.Set("X-Request-ID", client.RandomUUID())
	return nil
}

// answer is RongCloud's reply envelope.
type answer struct {
	Code         int    `json:"code"`
	ErrorMessage string `json:"errorMessage"`
}

func checkResponse(resp *http.Response, body []byte) error {
	var a answer
	requestID := resp.Header.Get("X-Request-ID")
	if resp.Request != nil && requestID == "" {
		requestID = resp.Request.Header.Get("X-Request-ID")
	}
	// Only {"code": 200} is success: an empty or foreign answer from a gateway in front of
	// api_urls must never be recorded as done.
	if err := json.Unmarshal(body, &a); err != nil || a.Code == 0 {
		return &client.APIError{
			Vendor: Vendor, HTTPStatus: resp.StatusCode, Message: client.Snippet(body), RequestID: requestID,
			Retryable: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
			Hint:      unreadableAnswerHint(resp.StatusCode),
		}
	}
	if a.Code == 200 {
		return nil
	}
	return &client.APIError{
		Vendor: Vendor, HTTPStatus: resp.StatusCode, Code: strconv.Itoa(a.Code), Message: a.ErrorMessage,
		RequestID: requestID, Hint: hintFor(a.Code),
		Retryable:   a.Code == 1000 || a.Code == 1050 || a.Code == 1008 || resp.StatusCode >= 500,
		RateLimited: a.Code == 1008,
	}
}

// unreadableAnswerHint explains an answer that is not RongCloud's JSON: a server error is
// an outage; anything else suggests api_urls point somewhere other than the API.
func unreadableAnswerHint(status int) string {
	if status >= 500 {
		return "RongCloud had a server-side problem, so whether the call took effect is unknown"
	}
	return "the answer was not RongCloud's {\"code\": ...} JSON, so whether the call took effect is unknown; " +
		"check that api_urls point at the RongCloud server API"
}

func hintFor(code int) string {
	switch code {
	case 1000, 1050:
		return "RongCloud had an internal problem"
	case 1001, 1004:
		return "check app_key and app_secret, that region (or api_urls) is the data centre shown on the console's App Key page, and that this machine's clock is correct"
	case 1002, 1003:
		return "RongCloud refused the parameters; check the message UID, user and target IDs"
	case 1005:
		return "a parameter is longer than RongCloud allows"
	case 1006:
		return "the app is locked or deleted; check it in the RongCloud console"
	case 1007:
		return "RongCloud restricts calls for this app; contact RongCloud support"
	case 1008:
		return "the rate limit was exceeded; lower requests_per_second in the provider's rongcloud block, or wait and apply again"
	case 1009:
		return "this service is not enabled for the app; enable it in the RongCloud console"
	}
	return ""
}

// randomNonce returns 16 hex characters, within RongCloud's 18-character limit.
func randomNonce() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// App names the app this client acts on: its app key.
func (c *Client) App() string { return c.appKey }
