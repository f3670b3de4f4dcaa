// Package easemob is a thin client for the Easemob (环信) IM REST calls the provider makes: the
// org/app base path, an app-token source that fetches once and renews, and typed errors, over
// the shared transport.
package easemob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// Vendor is the platform's name in errors and logs.
const Vendor = "Easemob"

// Documented limits.
const (
	// DefaultRequestsPerSecond is the per-app ceiling of the roaming-deletion calls.
	DefaultRequestsPerSecond = 100
	// MessageIDsPerCall is the most message IDs one delete-by-ID call accepts.
	MessageIDsPerCall = 50
	// DefaultConcurrency is how many chunk calls may be in flight at once.
	DefaultConcurrency = 10
)

// Config holds what a Client needs. Give AppToken, or ClientID and ClientSecret; not both.
type Config struct {
	OrgName string
	AppName string
	// ClientID and ClientSecret let the client fetch and renew app tokens itself.
	ClientID     string
	ClientSecret string
	// AppToken is a ready token. It is used as it is and never renewed.
	AppToken string
	// TokenTTL asks Easemob for tokens of this lifetime; zero leaves it to Easemob (its
	// default is the app's configured token lifetime).
	TokenTTL time.Duration
	// Transport settings; BaseURLs are the REST host(s) of the app's cluster, path prefix kept.
	Transport client.Config
	// Concurrency bounds chunk calls in flight (default DefaultConcurrency).
	Concurrency int
	// Now replaces the clock that decides when a token needs renewing.
	Now func() time.Time
}

// Client calls the Easemob REST API for one org/app.
type Client struct {
	transport   *client.Transport
	appPath     string
	app         string
	tokens      *tokenSource
	concurrency int
}

// New builds a client. The client secret and a fixed app token are registered with the
// redactor before anything is sent; fetched tokens are registered the moment they arrive.
func New(cfg Config) (*Client, error) {
	if cfg.OrgName == "" || cfg.AppName == "" {
		return nil, errors.New("easemob: org_name and app_name are required")
	}
	hasClientCredentials := cfg.ClientID != "" || cfg.ClientSecret != ""
	switch {
	case cfg.AppToken != "" && hasClientCredentials:
		return nil, errors.New("easemob: give either app_token or client_id and client_secret, not both")
	case cfg.AppToken == "" && (cfg.ClientID == "" || cfg.ClientSecret == ""):
		return nil, errors.New("easemob: client_id and client_secret (or app_token) are required")
	}
	tc := cfg.Transport
	tc.Vendor = Vendor
	tc.AddressSettings = "api_url"
	if tc.Redactor == nil {
		tc.Redactor = client.NewRedactor()
	}
	tc.Redactor.Add(cfg.ClientSecret, cfg.AppToken)
	if tc.Settings.RequestsPerSecond == 0 {
		tc.Settings.RequestsPerSecond = DefaultRequestsPerSecond
	}
	transport, err := client.NewTransport(tc)
	if err != nil {
		return nil, err
	}
	c := &Client{
		transport:   transport,
		appPath:     "/" + url.PathEscape(cfg.OrgName) + "/" + url.PathEscape(cfg.AppName),
		app:         cfg.OrgName + "/" + cfg.AppName,
		concurrency: cfg.Concurrency,
	}
	if c.concurrency <= 0 {
		c.concurrency = DefaultConcurrency
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	if cfg.AppToken != "" {
		c.tokens = fixedToken(cfg.AppToken)
	} else {
		c.tokens = newTokenSource(now, func(ctx context.Context) (issuedToken, error) {
			return c.fetchToken(ctx, cfg.ClientID, cfg.ClientSecret, cfg.TokenTTL)
		})
	}
	return c, nil
}

// call sends one authenticated roaming request. The token is looked up for every attempt,
// after the rate limiter and any backoff, so a retry or a long wait never sends a token past
// its renewal point. A 401 with a token we fetched means it was revoked or expired early: the
// token is dropped and the call sent once more with a fresh one.
func (c *Client) call(ctx context.Context, operation, method, path string, query url.Values) error {
	// earlierUnknown: the round before a resend may have taken effect (a 5xx, then the 401).
	earlierUnknown := false
	for attempt := 1; ; attempt++ {
		// Have a token before queueing: bad credentials then fail here, with the token
		// endpoint's own error, rather than inside an attempt.
		if _, err := c.tokens.Token(ctx); err != nil {
			// This call was not sent (again): the token request's outcome is not its own.
			return client.KeepEarlierOutcome(client.NotSent(err), earlierUnknown)
		}
		var sent string // the token the latest attempt carried
		_, err := c.transport.Do(ctx, &client.Request{
			Operation:   operation,
			Method:      method,
			Path:        c.appPath + path,
			Query:       query,
			ContentType: "application/json",
			Policy:      client.RetryTransient,
			Prepare: func(ctx context.Context, r *http.Request) error {
				token, err := c.tokens.Token(ctx)
				if err != nil {
					return &renewalError{operation: operation, err: err}
				}
				sent = token
				r.Header.Set("Authorization", "Bearer "+token)
				return nil
			},
			Check: checkResponse,
		})
		err = client.KeepEarlierOutcome(err, earlierUnknown)
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusUnauthorized {
			return err
		}
		if c.tokens.fixed {
			apiErr.Hint = "Easemob refused app_token, most likely because it has expired; set a fresh app_token, " +
				"or configure client_id and client_secret so the provider fetches and renews tokens itself"
			return err
		}
		if attempt > 1 {
			return err
		}
		earlierUnknown = client.OutcomeUnknown(err)
		c.tokens.Invalidate(sent)
	}
}

// renewalError is a call that was not sent because its token was due for renewal and the
// renewal failed. It deliberately does not unwrap to the token request's error: that request
// has had its own retries, so the transport must not retry the call (and with it the token
// request) on its account, and a call never sent must not read as one whose outcome is
// unknown.
type renewalError struct {
	operation string
	err       error
}

func (e *renewalError) Error() string {
	return fmt.Sprintf("%s could not %s: renewing the app token failed: %v", Vendor, e.operation, e.err)
}

// errorAnswer is Easemob's error envelope.
type errorAnswer struct {
	Error            string `json:"error"`
	Exception        string `json:"exception"`
	ErrorDescription string `json:"error_description"`
}

// checkResponse accepts HTTP 200 with {"requestStatusCode":"ok"}; anything else is an error.
func checkResponse(resp *http.Response, body []byte) error {
	if resp.StatusCode != http.StatusOK {
		return errorFromAnswer(resp, body)
	}
	var answer struct {
		RequestStatusCode string `json:"requestStatusCode"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.RequestStatusCode != "ok" {
		return &client.APIError{
			Vendor: Vendor, HTTPStatus: resp.StatusCode, Message: "unexpected answer: " + client.Snippet(body),
			Hint: "Easemob did not confirm the deletion with requestStatusCode \"ok\"; check that api_url is the REST host of the app's cluster",
		}
	}
	return nil
}

// errorFromAnswer decodes a non-200 answer into an APIError with advice for the user.
func errorFromAnswer(resp *http.Response, body []byte) *client.APIError {
	apiErr := &client.APIError{
		Vendor: Vendor, HTTPStatus: resp.StatusCode,
		Retryable:   resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500,
		RateLimited: resp.StatusCode == http.StatusTooManyRequests,
	}
	var answer errorAnswer
	if err := json.Unmarshal(body, &answer); err != nil || answer.Error == "" {
		apiErr.Message = client.Snippet(body)
	} else {
		apiErr.Code, apiErr.Message = answer.Error, answer.ErrorDescription
		if apiErr.Message == "" {
			apiErr.Message = answer.Exception
		}
	}
	apiErr.Hint = hintFor(apiErr)
	return apiErr
}

func hintFor(e *client.APIError) string {
	text := strings.ToLower(e.Code + " " + e.Message)
	switch {
	case strings.Contains(text, "service open exception") || strings.Contains(text, "not open message roaming"):
		return "enable message roaming for this app in the Easemob console (a permanent setting; retrying does not help)"
	case strings.Contains(text, "param exception"):
		return "Easemob refused the parameters; the provider sends at most 50 message IDs per call, so if the message mentions that limit this is a bug in the provider worth reporting"
	case e.Code == "invalid_grant":
		return "client_secret does not match client_id; copy both from the app's page in the Easemob console"
	case e.Code == "organization_application_not_found":
		return "check org_name and app_name, and that api_url is the REST host of the app's cluster shown in the Easemob console"
	case e.HTTPStatus == http.StatusUnauthorized:
		return "check client_id and client_secret (or app_token) and that they belong to this org_name and app_name"
	case e.HTTPStatus == http.StatusTooManyRequests:
		return "the rate limit was exceeded; lower requests_per_second in the provider's easemob block, or wait and apply again"
	case e.HTTPStatus >= 500:
		return "Easemob had a server-side problem; applying again is safe"
	case e.HTTPStatus == http.StatusBadRequest:
		return "Easemob refused the request; check the user, peer and group IDs"
	}
	return ""
}

// App names the app this client acts on, as "org_name/app_name".
func (c *Client) App() string { return c.app }
