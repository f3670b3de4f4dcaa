package easemob_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// The fake app every client test talks to. The API URL carries a gateway prefix and the app
// name a space, so every test also checks that the prefix is kept and segments are escaped.
const (
	testAPIURL       = "https://gw.example.test/im-gateway"
	testOrg          = "acme"
	testApp          = "chat app"
	testAppPath      = "/im-gateway/acme/chat%20app"
	testClientID     = "YXA6client-id"
	testClientSecret = "YXA6-client-secret-0123456789"
)

// recordedRequest is one request as the fake saw it on the wire.
type recordedRequest struct {
	Method, Path, Query, Authorization, ContentType, Body string
}

// fakeEasemob answers through httpmock: token requests with numbered tokens, roaming calls with
// whatever the test's roaming func says (default {"requestStatusCode":"ok"}).
type fakeEasemob struct {
	mu            sync.Mutex
	requests      []recordedRequest
	tokenFetches  int
	tokenLifetime int64
	// tokenAnswer, if set, replaces the token endpoint's answer.
	tokenAnswer func(fetch int) *http.Response
	// roaming answers the n-th roaming call (1-based).
	roaming func(n int, r *http.Request) *http.Response
	// tokenGate, if set, holds every token answer until it is closed.
	tokenGate chan struct{}
}

func newFake() *fakeEasemob { return &fakeEasemob{tokenLifetime: 7200} }

func (f *fakeEasemob) respond(r *http.Request) (*http.Response, error) {
	body := ""
	if r.Body != nil {
		data, _ := io.ReadAll(r.Body)
		body = string(data)
	}
	rec := recordedRequest{
		Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body,
	}
	if strings.HasSuffix(rec.Path, "/token") {
		if f.tokenGate != nil {
			<-f.tokenGate
		}
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		f.tokenFetches++
		fetch, answer, lifetime := f.tokenFetches, f.tokenAnswer, f.tokenLifetime
		f.mu.Unlock()
		if answer != nil {
			return answer(fetch), nil
		}
		return httpmock.NewJsonResponseOrPanic(http.StatusOK, map[string]any{
			"access_token": tokenValue(fetch), "expires_in": lifetime, "application": "8be024f0-0000-0000-0000-000000000000",
		}), nil
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	n := len(f.roamingCallsLocked())
	roaming := f.roaming
	f.mu.Unlock()
	if roaming != nil {
		if resp := roaming(n, r); resp != nil {
			return resp, nil
		}
	}
	return okAnswer(), nil
}

// tokenValue is the n-th token the fake issues; long and distinctive so a leak is easy to spot.
func tokenValue(n int) string {
	return fmt.Sprintf("YWMt-issued-token-%d-abcdefghijklmnopqrstuvwxyz", n)
}

func okAnswer() *http.Response {
	return httpmock.NewStringResponse(http.StatusOK, `{"requestStatusCode":"ok","timestamp":1710309184114}`)
}

func errorAnswer(status int, code, description string) *http.Response {
	return httpmock.NewStringResponse(status, errorJSON(code, description))
}

// errorJSON is Easemob's error envelope.
func errorJSON(code, description string) string {
	body, _ := json.Marshal(map[string]any{
		"error": code, "exception": "SomeException", "timestamp": 1710309184114, "duration": 0, "error_description": description,
	})
	return string(body)
}

func (f *fakeEasemob) roamingCallsLocked() []recordedRequest {
	var out []recordedRequest
	for _, r := range f.requests {
		if !strings.HasSuffix(r.Path, "/token") {
			out = append(out, r)
		}
	}
	return out
}

// roamingCalls returns the non-token requests in arrival order.
func (f *fakeEasemob) roamingCalls() []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.roamingCallsLocked()
}

func (f *fakeEasemob) fetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenFetches
}

// newTestClient builds a client whose dedicated *http.Client is served by httpmock. Retries
// wait no time, and the rate limit is lifted unless a test sets one.
func newTestClient(t *testing.T, fake *fakeEasemob, adjust ...func(*easemob.Config)) *easemob.Client {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(fake.respond)
	base, err := url.Parse(testAPIURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := easemob.Config{
		OrgName: testOrg, AppName: testApp, ClientID: testClientID, ClientSecret: testClientSecret,
		Transport: client.Config{
			BaseURLs:   []*url.URL{base},
			HTTPClient: &http.Client{Transport: mock},
			Settings:   client.Settings{RequestsPerSecond: 1e6, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond},
			Sleep:      func(context.Context, time.Duration) error { return nil },
		},
	}
	for _, f := range adjust {
		f(&cfg)
	}
	c, err := easemob.New(cfg)
	if err != nil {
		t.Fatalf("easemob.New: %v", err)
	}
	return c
}

// fakeClock is a settable clock for token expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logCapture records every transport log line, rendered in full.
type logCapture struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCapture) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *logCapture) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}
