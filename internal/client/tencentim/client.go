package tencentim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// Vendor is the platform's name in errors and logs.
const Vendor = "Tencent Cloud IM"

const (
	// DefaultRequestsPerSecond is the documented per-app ceiling of the calls the provider makes.
	DefaultRequestsPerSecond = 200
	// DefaultUserSigValidity is the lifetime given to generated UserSigs.
	DefaultUserSigValidity = 24 * time.Hour
	// minUserSigValidity keeps a configured lifetime long enough that a UserSig is not
	// regenerated for nearly every call.
	minUserSigValidity = time.Minute
)

// Error codes the client acts on rather than only reports.
const (
	codeUserSigExpired = 70001
)

// Config holds what a Client needs.
type Config struct {
	// SDKAppID identifies the app.
	SDKAppID uint64
	// Identifier is the app administrator account the calls are made as.
	Identifier string
	// SecretKey signs UserSigs, which the client generates and renews itself. Give
	// SecretKey or UserSig, not both.
	SecretKey string
	// UserSig is a ready ticket for Identifier. It is used as it is and never renewed.
	UserSig string
	// UserSigValidity is the lifetime of generated UserSigs (default DefaultUserSigValidity).
	UserSigValidity time.Duration
	// Transport settings; BaseURLs come from the region or the explicit api_urls.
	Transport client.Config
	// Now replaces the clock that stamps generated UserSigs, for tests.
	Now func() time.Time
}

// Client calls the Tencent Cloud IM REST API as one app administrator.
type Client struct {
	transport  *client.Transport
	sdkAppID   string
	identifier string
	userSigs   *userSigSource
}

// New builds a client. The secret key and a given UserSig are registered with the redactor
// before anything is sent, and so is every UserSig generated later.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.SDKAppID == 0:
		return nil, errors.New("tencentim: SDKAppID is required")
	case cfg.Identifier == "":
		return nil, errors.New("tencentim: an administrator identifier is required")
	case cfg.SecretKey != "" && cfg.UserSig != "":
		return nil, errors.New("tencentim: give either a secret key or a UserSig, not both")
	case cfg.SecretKey == "" && cfg.UserSig == "":
		return nil, errors.New("tencentim: a secret key or a UserSig is required")
	}
	validity := cfg.UserSigValidity
	if validity == 0 {
		validity = DefaultUserSigValidity
	}
	if validity < minUserSigValidity {
		return nil, fmt.Errorf("tencentim: UserSig validity must be at least %s, got %s", minUserSigValidity, validity)
	}
	tc := cfg.Transport
	tc.Vendor = Vendor
	tc.AddressSettings = "region or api_urls"
	if tc.Redactor == nil {
		tc.Redactor = client.NewRedactor()
	}
	tc.Redactor.Add(cfg.SecretKey, cfg.UserSig)
	if tc.Settings.RequestsPerSecond == 0 {
		tc.Settings.RequestsPerSecond = DefaultRequestsPerSecond
	}
	transport, err := client.NewTransport(tc)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		transport:  transport,
		sdkAppID:   strconv.FormatUint(cfg.SDKAppID, 10),
		identifier: cfg.Identifier,
		userSigs: &userSigSource{
			sdkAppID: cfg.SDKAppID, identifier: cfg.Identifier, secretKey: cfg.SecretKey,
			validity: validity, now: now, redactor: tc.Redactor, current: cfg.UserSig,
		},
	}, nil
}

// post sends payload as JSON to /v4/{service}/{command} and checks Tencent's verdict in the
// answer. A UserSig refused as expired is regenerated once and the call sent once more:
// the server's clock, not ours, decides expiry.
func (c *Client) post(ctx context.Context, operation, service, command string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("%s %s: encoding the request: %w", Vendor, operation, err)
	}
	var lastUserSig string
	req := &client.Request{
		Operation:   operation,
		Method:      http.MethodPost,
		Path:        "/v4/" + service + "/" + command,
		Body:        body,
		ContentType: "application/json",
		Policy:      client.RetryTransient,
		Prepare: func(_ context.Context, r *http.Request) error {
			userSig, err := c.userSigs.get()
			if err != nil {
				return fmt.Errorf("%s %s: %w", Vendor, operation, err)
			}
			lastUserSig = userSig
			c.authorize(r, userSig)
			return nil
		},
		Check: checkResponse,
	}
	_, err = c.transport.Do(ctx, req)
	if !hasCode(err, codeUserSigExpired) {
		return err
	}
	if !c.userSigs.renewable() {
		setHint(err, "the user_sig given in the provider configuration has expired; make a new one, or give secret_key instead so the provider generates and renews UserSigs itself")
		return err
	}
	if renewErr := c.userSigs.renew(lastUserSig); renewErr != nil {
		return fmt.Errorf("%w (regenerating the UserSig failed: %v)", err, renewErr)
	}
	earlierUnknown := client.OutcomeUnknown(err) // a 5xx before the 70001 may have taken effect
	_, err = c.transport.Do(ctx, req)
	if hasCode(err, codeUserSigExpired) {
		setHint(err, "Tencent Cloud IM refused a UserSig made moments ago as expired; check that this machine's clock is correct")
	}
	return client.KeepEarlierOutcome(err, earlierUnknown)
}

// authorize puts the common query parameters on one attempt. random is drawn afresh for
// every attempt because Tencent uses it to tell requests apart.
func (c *Client) authorize(r *http.Request, userSig string) {
	q := r.URL.Query()
	q.Set("sdkappid", c.sdkAppID)
	q.Set("identifier", c.identifier)
	q.Set("usersig", userSig)
	q.Set("random", strconv.FormatUint(uint64(rand.Uint32()), 10))
	q.Set("contenttype", "json")
	r.URL.RawQuery = q.Encode()
}

// userSigSource hands out the UserSig for each attempt. With a secret key it generates one,
// reuses it until a tenth of its validity is left (client.RenewAt), and replaces it on
// demand; a given UserSig is handed out unchanged. Safe for concurrent use: callers that
// find the UserSig due wait on the lock while one of them generates its successor, so a
// renewal happens once for all of them.
type userSigSource struct {
	sdkAppID   uint64
	identifier string
	secretKey  string
	validity   time.Duration
	now        func() time.Time
	redactor   *client.Redactor

	mu      sync.Mutex
	current string
	renewAt time.Time
}

func (s *userSigSource) renewable() bool { return s.secretKey != "" }

func (s *userSigSource) get() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.renewable() || (s.current != "" && s.now().Before(s.renewAt)) {
		return s.current, nil
	}
	return s.generateLocked()
}

// renew replaces a UserSig the server refused as expired. When a concurrent call has already
// replaced it, that newer one is kept rather than generating yet another.
func (s *userSigSource) renew(refused string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != refused {
		return nil
	}
	_, err := s.generateLocked()
	return err
}

func (s *userSigSource) generateLocked() (string, error) {
	// The ticket carries whole seconds, so its lifetime counts from the truncated time.
	issued := s.now().Truncate(time.Second)
	userSig, err := GenerateUserSig(s.sdkAppID, s.secretKey, s.identifier, issued, s.validity)
	if err != nil {
		return "", fmt.Errorf("generating a UserSig: %w", err)
	}
	s.redactor.Add(userSig)
	s.current = userSig
	s.renewAt = client.RenewAt(issued, s.validity)
	return userSig, nil
}

// answer is the envelope of every Tencent Cloud IM REST answer.
type answer struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorCode    int    `json:"ErrorCode"`
	ErrorInfo    string `json:"ErrorInfo"`
}

// checkResponse reads the verdict from the body: Tencent answers HTTP 200 for failures too,
// so only ActionStatus "OK" with ErrorCode 0 is success.
func checkResponse(resp *http.Response, body []byte) error {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil || (a.ActionStatus == "" && a.ErrorCode == 0) {
		return &client.APIError{
			Vendor: Vendor, HTTPStatus: resp.StatusCode, Message: client.Snippet(body),
			Retryable: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
			Hint:      unreadableAnswerHint(resp.StatusCode),
		}
	}
	if a.ActionStatus == "OK" && a.ErrorCode == 0 {
		return nil
	}
	apiErr := &client.APIError{
		Vendor: Vendor, HTTPStatus: resp.StatusCode, Message: a.ErrorInfo, Hint: hintFor(a.ErrorCode),
		Retryable:   retryableCodes[a.ErrorCode] || rateLimitCodes[a.ErrorCode] || resp.StatusCode >= 500,
		RateLimited: rateLimitCodes[a.ErrorCode],
	}
	if a.ErrorCode != 0 {
		apiErr.Code = strconv.Itoa(a.ErrorCode)
	}
	if a.ErrorCode == codeTooManyVerificationFailures {
		// Tencent asks for a minute's pause; a quicker retry is one more failed verification.
		apiErr.RetryAfter = time.Minute
	}
	if apiErr.Message == "" {
		apiErr.Message = "ActionStatus " + a.ActionStatus
	}
	return apiErr
}

// codeTooManyVerificationFailures is Tencent's "too many failed verifications, retry after a
// minute".
const codeTooManyVerificationFailures = 70050

var (
	// rateLimitCodes mean "slow down": retried after a longer backoff.
	rateLimitCodes = map[int]bool{60007: true, 60011: true, 60018: true, 60019: true, 70050: true}
	// retryableCodes are server-side trouble that a later attempt may not meet.
	retryableCodes = map[int]bool{10002: true}
)

// unreadableAnswerHint explains an answer without ActionStatus: a server error is an outage;
// anything else suggests api_urls point somewhere other than the REST API.
func unreadableAnswerHint(status int) string {
	if status >= 500 {
		return "Tencent Cloud IM (or a gateway in front of it) had a server-side problem"
	}
	return "the answer was not Tencent Cloud IM's usual JSON; check that api_urls point at the Tencent Cloud IM REST API"
}

func hintFor(code int) string {
	switch code {
	case 10002:
		return "Tencent Cloud IM had an internal problem; applying again is safe"
	case 10003, 60002, 60003:
		return "Tencent Cloud IM did not understand the request; check that api_urls point at the Tencent Cloud IM REST API"
	case 10004:
		return "Tencent Cloud IM refused the parameters; check group_id, sender_account and topic_id"
	case 10007:
		return "the identifier account may not do this in the group; use an app administrator account"
	case 10010:
		return "the group does not exist or was dismissed; check group_id"
	case 10015:
		return "the group ID is not valid; check group_id"
	case 60004, 60005:
		return "the account or UserSig in the request was refused; check identifier and secret_key (or user_sig)"
	case 60006:
		return "the SDKAppID is not valid; check sdk_app_id against the Chat console"
	case 60010:
		return "identifier must be an app administrator account; use one listed as an administrator in the Chat console"
	case 60007, 60011, 60018, 60019:
		return "the rate limit was exceeded; lower requests_per_second in the provider's tencentim block, or wait and apply again"
	case 60020:
		return "the app's plan has expired; renew it in the Chat console"
	case 60021:
		return "this machine's IP address is not allowed to call the REST API; add it to the app's IP allowlist in the Chat console"
	case 70003, 70009, 70013, 70014:
		return "the UserSig does not match identifier, sdk_app_id or the app's key; check that secret_key (or user_sig) belongs to app sdk_app_id, and that a given user_sig was made for identifier"
	case 70016, 70020:
		return "the app's key is not in the data center that was called; set region (or api_urls) in the provider's tencentim block to the data center the app was created in"
	case 70050:
		return "Tencent Cloud IM is refusing calls after too many UserSig verification failures; check the credentials, then wait a minute before applying again"
	}
	return ""
}

func hasCode(err error, code int) bool {
	var apiErr *client.APIError
	return errors.As(err, &apiErr) && apiErr.Code == strconv.Itoa(code)
}

func setHint(err error, hint string) {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		apiErr.Hint = hint
	}
}

// App names the app this client acts on: its SDKAppID.
func (c *Client) App() string { return c.sdkAppID }
