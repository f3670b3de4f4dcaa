package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// captureLogger keeps every log line as text, to search for secrets.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *captureLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type testSetup struct {
	transport *Transport
	mock      *httpmock.MockTransport
	logger    *captureLogger

	mu     sync.Mutex
	sleeps []time.Duration
	// now is the failover clock; every backoff wait moves it on.
	now time.Time
}

// advance moves the fake clock, as time passing between calls would.
func (s *testSetup) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// slept sums the backoff waits so far.
func (s *testSetup) slept() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total time.Duration
	for _, d := range s.sleeps {
		total += d
	}
	return total
}

func newTestTransport(t *testing.T, settings Settings, baseURLs ...string) *testSetup {
	t.Helper()
	s := &testSetup{mock: httpmock.NewMockTransport(), logger: &captureLogger{}, now: time.Unix(1700000000, 0)}
	var urls []*url.URL
	for _, raw := range baseURLs {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, u)
	}
	transport, err := NewTransport(Config{
		Vendor: "TestVendor", BaseURLs: urls, HTTPClient: &http.Client{Transport: s.mock},
		UserAgent: "imops-test", Settings: settings, Logger: s.logger,
		Redactor: NewRedactor("super-secret-value"),
		Sleep: func(_ context.Context, d time.Duration) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.sleeps = append(s.sleeps, d)
			s.now = s.now.Add(d)
			return nil
		},
		Now: func() time.Time {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.transport = transport
	return s
}

// jsonCheck treats {"ok":true} as success and anything else as a vendor error whose
// retryability follows the HTTP status.
func jsonCheck(resp *http.Response, body []byte) error {
	if resp.StatusCode == 200 && strings.Contains(string(body), `"ok":true`) {
		return nil
	}
	return &APIError{Vendor: "TestVendor", HTTPStatus: resp.StatusCode, Message: string(body), Retryable: resp.StatusCode >= 500}
}

func testRequest(policy RetryPolicy) *Request {
	return &Request{Operation: "test call", Method: http.MethodPost, Path: "/v1/do", Body: []byte("a=1"),
		ContentType: "application/x-www-form-urlencoded", Policy: policy, Check: jsonCheck}
}

func TestTransportRetriesTransientThenSucceeds(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(503, "busy"),
		httpmock.NewStringResponse(503, "busy"),
		httpmock.NewStringResponse(200, `{"ok":true}`),
	}))
	resp, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if resp.Attempts != 3 || s.mock.GetTotalCallCount() != 3 {
		t.Errorf("attempts = %d, calls = %d; want 3", resp.Attempts, s.mock.GetTotalCallCount())
	}
	if len(s.sleeps) != 2 {
		t.Fatalf("slept %d times, want 2", len(s.sleeps))
	}
	// Full jitter: each wait is anywhere up to a ceiling that doubles, from 200ms.
	if s.sleeps[0] > 200*time.Millisecond || s.sleeps[1] > 400*time.Millisecond {
		t.Errorf("backoff %v outside [0,200ms] then [0,400ms]", s.sleeps)
	}
}

// The waits are spread over the whole window (full jitter) under a ceiling that doubles per
// attempt up to MaxBackoff, and start four times higher after a rate-limit answer.
func TestBackoffIsCappedExponentialWithFullJitter(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	tr := s.transport
	rateLimited := &APIError{RateLimited: true}
	for _, tc := range []struct {
		attempt int
		lastErr error
		ceiling time.Duration
	}{
		{1, nil, 200 * time.Millisecond},
		{3, nil, 800 * time.Millisecond},
		{10, nil, 10 * time.Second},
		{60, nil, 10 * time.Second},
		{1, rateLimited, 800 * time.Millisecond},
	} {
		var lowest, highest time.Duration = time.Hour, 0
		for range 2000 {
			d := tr.backoff(tc.attempt, tc.lastErr)
			lowest, highest = min(lowest, d), max(highest, d)
		}
		if highest > tc.ceiling || highest < tc.ceiling*3/4 || lowest > tc.ceiling/4 {
			t.Errorf("attempt %d (%v): waits in [%v, %v], want spread over [0, %v]", tc.attempt, tc.lastErr, lowest, highest, tc.ceiling)
		}
	}
}

func TestTransportStopsAfterMaxRetries(t *testing.T) {
	s := newTestTransport(t, Settings{MaxRetries: 2}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(500, "down"))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts: max_retries is 2") || !strings.Contains(err.Error(), "outage") {
		t.Fatalf("err = %v, want failure after 3 attempts", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 500 {
		t.Errorf("err does not unwrap to the vendor's APIError: %#v", err)
	}
	if n := s.mock.GetTotalCallCount(); n != 3 {
		t.Errorf("calls = %d, want 3", n)
	}
}

func TestTransportNoRetries(t *testing.T) {
	s := newTestTransport(t, Settings{NoRetries: true}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(503, "busy"))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err == nil {
		t.Fatal("want error")
	}
	if n := s.mock.GetTotalCallCount(); n != 1 {
		t.Errorf("calls = %d, want 1 with max_retries = 0", n)
	}
}

func TestTransportPermanentErrorNotRetried(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(400, "bad parameter"))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err == nil || !strings.Contains(err.Error(), "bad parameter") || !strings.Contains(err.Error(), "test call") {
		t.Fatalf("err = %v", err)
	}
	if n := s.mock.GetTotalCallCount(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

func TestTransport429IsRetriedWithLongerBackoff(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(429, "slow down"),
		httpmock.NewStringResponse(200, `{"ok":true}`),
	}))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
		t.Fatal(err)
	}
	if len(s.sleeps) != 1 || s.sleeps[0] > 800*time.Millisecond {
		t.Errorf("sleeps = %v, want one rate-limit backoff of at most 800ms", s.sleeps)
	}
}

func TestTransportFailsOverToBackup(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://primary.example/gw", "https://backup.example")
	s.mock.RegisterResponder("POST", "https://primary.example/gw/v1/do",
		httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}))
	s.mock.RegisterResponder("POST", "https://backup.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
		t.Fatal(err)
	}
	info := s.mock.GetCallCountInfo()
	if info["POST https://primary.example/gw/v1/do"] != 1 || info["POST https://backup.example/v1/do"] != 1 {
		t.Errorf("calls = %v, want one to the primary (with its path prefix) then one to the backup", info)
	}
}

func TestTransportOnlyUnsentPolicy(t *testing.T) {
	t.Run("server error is not resent", func(t *testing.T) {
		s := newTestTransport(t, Settings{}, "https://api.example")
		s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(503, "busy"))
		if _, err := s.transport.Do(context.Background(), testRequest(RetryOnlyUnsent)); err == nil {
			t.Fatal("want error")
		}
		if n := s.mock.GetTotalCallCount(); n != 1 {
			t.Errorf("calls = %d, want 1: the request may have been acted on", n)
		}
	})
	t.Run("read error after sending is not resent", func(t *testing.T) {
		s := newTestTransport(t, Settings{}, "https://api.example")
		s.mock.RegisterResponder("POST", "https://api.example/v1/do",
			httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}))
		if _, err := s.transport.Do(context.Background(), testRequest(RetryOnlyUnsent)); err == nil {
			t.Fatal("want error")
		}
		if n := s.mock.GetTotalCallCount(); n != 1 {
			t.Errorf("calls = %d, want 1", n)
		}
	})
	t.Run("refused connection is resent on the backup", func(t *testing.T) {
		s := newTestTransport(t, Settings{}, "https://primary.example", "https://backup.example")
		s.mock.RegisterResponder("POST", "https://primary.example/v1/do",
			httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}))
		s.mock.RegisterResponder("POST", "https://backup.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
		if _, err := s.transport.Do(context.Background(), testRequest(RetryOnlyUnsent)); err != nil {
			t.Fatal(err)
		}
		if n := s.mock.GetTotalCallCount(); n != 2 {
			t.Errorf("calls = %d, want 2", n)
		}
	})
}

func TestTransportContextCancelStopsRetrying(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	ctx, cancel := context.WithCancel(context.Background())
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", func(*http.Request) (*http.Response, error) {
		cancel()
		return httpmock.NewStringResponse(503, "busy"), nil
	})
	if _, err := s.transport.Do(ctx, testRequest(RetryTransient)); err == nil {
		t.Fatal("want error")
	}
	if n := s.mock.GetTotalCallCount(); n != 1 {
		t.Errorf("calls = %d after cancel, want 1", n)
	}
}

func TestTransportRedactsSecretsInLogsAndErrors(t *testing.T) {
	s := newTestTransport(t, Settings{NoRetries: true}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do",
		httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}))
	req := testRequest(RetryTransient)
	req.Query = url.Values{"usersig": {"sig-that-is-secret"}, "keep": {"visible"}}
	req.Body = []byte("token=super-secret-value")
	req.Prepare = func(_ context.Context, r *http.Request) error {
		r.Header.Set("Signature", "abcdef0123456789")
		r.Header.Set("Authorization", "Bearer token-issued-at-runtime")
		return nil
	}
	_, err := s.transport.Do(context.Background(), req)
	if err == nil {
		t.Fatal("want error")
	}
	logs := s.logger.text() + "\n" + err.Error()
	for _, secret := range []string{"super-secret-value", "sig-that-is-secret", "abcdef0123456789", "token-issued-at-runtime"} {
		if strings.Contains(logs, secret) {
			t.Errorf("secret %q leaked into logs or error:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, "keep=visible") || !strings.Contains(logs, "sending request") {
		t.Errorf("logs lost the non-secret parts:\n%s", logs)
	}
}

func TestTransportRateLimiterPaces(t *testing.T) {
	s := newTestTransport(t, Settings{RequestsPerSecond: 50}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
	start := time.Now()
	for range 11 {
		if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
			t.Fatal(err)
		}
	}
	// 11 calls at 50/s with no burst need at least 10 gaps of 20ms.
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("11 calls at 50/s took %v, want at least 200ms", elapsed)
	}
}

func TestJoinURLKeepsPrefixAndEscaping(t *testing.T) {
	base, _ := url.Parse("https://gw.example/im/rc/")
	got := joinURL(base, "/users/"+url.PathEscape("a@b c#1")+"/x", url.Values{"q": {"1 2"}})
	want := "https://gw.example/im/rc/users/a@b%20c%231/x?q=1+2"
	if got.String() != want {
		t.Errorf("joinURL = %s, want %s", got, want)
	}
}

func TestTransportRedactsVendorErrorMessages(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(400, "bad key super-secret-value"))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err == nil || strings.Contains(err.Error(), "super-secret-value") || !strings.Contains(err.Error(), "bad key ***") {
		t.Errorf("err = %v, want the echoed secret masked", err)
	}
}

func TestRedactorMasksCredentialFieldsInJSON(t *testing.T) {
	r := NewRedactor()
	got := r.String(`{"access_token":"YWMt-issued","expires_in":7200,"client_secret" : "x\"y","note":"keep"}`)
	want := `{"access_token":"***","expires_in":7200,"client_secret" : "***","note":"keep"}`
	if got != want {
		t.Errorf("String = %s\nwant     %s", got, want)
	}
}

func TestTransportHonoursRetryAfter(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	limited := httpmock.NewStringResponse(429, "slow down")
	limited.Header.Set("Retry-After", "3")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromMultipleResponses([]*http.Response{
		limited, httpmock.NewStringResponse(200, `{"ok":true}`),
	}))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
		t.Fatal(err)
	}
	if len(s.sleeps) != 1 || s.sleeps[0] != 3*time.Second {
		t.Errorf("sleeps = %v, want the 3s the vendor asked for", s.sleeps)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	h := http.Header{"Retry-After": {"86400"}}
	if got := retryAfter(h, time.Minute); got != time.Minute {
		t.Errorf("retryAfter = %v, want the 1m cap", got)
	}
	if got := retryAfter(http.Header{"Retry-After": {"Wed, 21 Oct 2015 07:28:00 GMT"}}, time.Minute); got != 0 {
		t.Errorf("an HTTP date is not read as seconds: %v", got)
	}
}

func TestOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"refused connection", &NetworkError{NotSent: true}, false},
		{"timeout after sending", &NetworkError{Err: context.DeadlineExceeded}, true},
		{"server error", &APIError{HTTPStatus: 500, Code: "1000"}, true},
		{"unreadable 200", &APIError{HTTPStatus: 200}, true},
		{"explicit refusal", &APIError{HTTPStatus: 400, Code: "1002"}, false},
		{"Tencent FAIL at 200", &APIError{HTTPStatus: 200, Code: "10010"}, false},
		{"quota", &APIError{HTTPStatus: 429, Code: "1008"}, false},
		{"wrapped", fmt.Errorf("call 1 of 2: %w", &NetworkError{}), true},
		{"no error", nil, false},
	} {
		if got := OutcomeUnknown(tc.err); got != tc.want {
			t.Errorf("%s: OutcomeUnknown = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A redirect is an error, not a second send: following it would carry signed headers to an
// address nobody configured, perhaps over plain http.
func TestTransportDoesNotFollowRedirects(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	redirect := httpmock.NewStringResponse(307, "")
	redirect.Header.Set("Location", "http://elsewhere.example/steal?usersig=sig-that-is-secret")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromResponse(redirect))
	s.mock.RegisterResponder("POST", "http://elsewhere.example/steal", httpmock.NewStringResponder(200, `{"ok":true}`))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err == nil || !strings.Contains(err.Error(), "redirect") || strings.Contains(err.Error(), "sig-that-is-secret") {
		t.Fatalf("err = %v, want a redirect error with the Location's secrets masked", err)
	}
	info := s.mock.GetCallCountInfo()
	if info["POST http://elsewhere.example/steal"] != 0 || s.mock.GetTotalCallCount() != 1 {
		t.Errorf("calls = %v, want exactly one, to the configured URL", info)
	}
}

func TestNetworkErrorSaysWhereToLook(t *testing.T) {
	timeout := (&NetworkError{Vendor: "V", Address: "https://x", AddressSettings: "api_url", Err: context.DeadlineExceeded}).Error()
	refused := (&NetworkError{Vendor: "V", Address: "https://x", AddressSettings: "api_url", NotSent: true, Err: errors.New("connection refused")}).Error()
	if !strings.Contains(timeout, "raise request_timeout") || !strings.Contains(refused, "DNS") || strings.Contains(refused, "request_timeout") {
		t.Errorf("advice missing:\n%s\n%s", timeout, refused)
	}
	// The advice names the vendor's own settings: Easemob has api_url and no region.
	if !strings.Contains(refused, "Check api_url, DNS") || strings.Contains(refused, "region") {
		t.Errorf("advice does not name the vendor's address setting: %s", refused)
	}
}
