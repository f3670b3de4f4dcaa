package easemob_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// The token request is a JSON POST to {base}/token with the client credentials and the TTL.
func TestToken_request(t *testing.T) {
	fake := newFake()
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.TokenTTL = time.Hour })
	if err := c.ClearAll(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	tokenReq := fake.requests[0]
	fake.mu.Unlock()
	if tokenReq.Method != http.MethodPost || tokenReq.Path != testAppPath+"/token" || tokenReq.ContentType != "application/json" {
		t.Errorf("token request = %s %s (%s), want POST %s/token as JSON", tokenReq.Method, tokenReq.Path, tokenReq.ContentType, testAppPath)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(tokenReq.Body), &body); err != nil {
		t.Fatalf("token body is not JSON: %v", err)
	}
	want := map[string]any{"grant_type": "client_credentials", "client_id": testClientID, "client_secret": testClientSecret, "ttl": float64(3600)}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("token body %s = %v, want %v", k, body[k], v)
		}
	}
	if tokenReq.Authorization != "" {
		t.Errorf("the token request must not carry a bearer token, got %q", tokenReq.Authorization)
	}
}

// Many concurrent calls share one token fetch: the others wait for it instead of asking too.
func TestToken_fetchedOnceForConcurrentCalls(t *testing.T) {
	fake := newFake()
	fake.tokenGate = make(chan struct{})
	c := newTestClient(t, fake)
	const callers = 25
	callConcurrently(t, callers, func() error { return c.ClearAll(context.Background(), "alice") }, func() { close(fake.tokenGate) })
	if n := fake.fetches(); n != 1 {
		t.Errorf("token fetched %d times for %d concurrent calls, want 1", n, callers)
	}
	calls := fake.roamingCalls()
	if len(calls) != callers {
		t.Fatalf("want %d calls, got %d", callers, len(calls))
	}
	for _, call := range calls {
		if call.Authorization != "Bearer "+tokenValue(1) {
			t.Errorf("call used %q, want the one fetched token", call.Authorization)
		}
	}
}

// A token is reused until a tenth of its lifetime is left, then renewed: the margin grows with
// the lifetime.
func TestToken_renewedBeforeExpiry(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		lifetime             time.Duration
		stillReused, renewed time.Duration
	}{
		{"sixty days: renewed with 6 days left", 60 * 24 * time.Hour, 54*24*time.Hour - time.Second, 54 * 24 * time.Hour},
		{"two hours: renewed with 12 minutes left", 2 * time.Hour, 108*time.Minute - time.Second, 108 * time.Minute},
		{"one minute: renewed with 6 seconds left", time.Minute, 53 * time.Second, 54 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			fake := newFake()
			fake.tokenLifetime = int64(tc.lifetime / time.Second)
			c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Now = clock.Now })
			ctx := context.Background()
			call := func() string {
				t.Helper()
				if err := c.ClearAll(ctx, "alice"); err != nil {
					t.Fatal(err)
				}
				calls := fake.roamingCalls()
				return calls[len(calls)-1].Authorization
			}
			if got := call(); got != "Bearer "+tokenValue(1) || fake.fetches() != 1 {
				t.Fatalf("first call: token %q after %d fetches", got, fake.fetches())
			}
			clock.Advance(tc.stillReused)
			if got := call(); got != "Bearer "+tokenValue(1) || fake.fetches() != 1 {
				t.Errorf("at %v: token %q after %d fetches, want the first token reused", tc.stillReused, got, fake.fetches())
			}
			clock.Advance(tc.renewed - tc.stillReused)
			if got := call(); got != "Bearer "+tokenValue(2) || fake.fetches() != 2 {
				t.Errorf("at %v: token %q after %d fetches, want a renewed token", tc.renewed, got, fake.fetches())
			}
		})
	}
}

// A 401 drops the token, fetches exactly one new one and sends the call once more.
func TestToken_refreshedOnceOn401(t *testing.T) {
	fake := newFake()
	fake.roaming = func(_ int, r *http.Request) *http.Response {
		if r.Header.Get("Authorization") == "Bearer "+tokenValue(1) {
			return errorAnswer(http.StatusUnauthorized, "unauthorized", "Unable to authenticate due to expired access token")
		}
		return nil
	}
	c := newTestClient(t, fake)
	if err := c.ClearAll(context.Background(), "alice"); err != nil {
		t.Fatalf("want success after one refresh, got %v", err)
	}
	calls := fake.roamingCalls()
	if fake.fetches() != 2 || len(calls) != 2 || calls[1].Authorization != "Bearer "+tokenValue(2) {
		t.Errorf("want 2 fetches and the retry with the new token; got %d fetches, calls %+v", fake.fetches(), calls)
	}
}

// Concurrent calls refused with the same stale token cause one refresh, not one each.
func TestToken_concurrent401sShareOneRefresh(t *testing.T) {
	fake := newFake()
	fake.roaming = func(_ int, r *http.Request) *http.Response {
		if r.Header.Get("Authorization") == "Bearer "+tokenValue(1) {
			return errorAnswer(http.StatusUnauthorized, "unauthorized", "expired")
		}
		return nil
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Concurrency = 8 })
	ids := make([]string, 8*easemob.MessageIDsPerCall)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%03d", i)
	}
	if _, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, true, nil); err != nil {
		t.Fatal(err)
	}
	// Every chunk may have been refused with token 1 before the first refresh landed, but
	// each refusal of the same token must lead to the same single new token.
	if n := fake.fetches(); n != 2 {
		t.Errorf("token fetched %d times, want 2 (the first and one refresh)", n)
	}
}

// If the fresh token is refused too, the error is returned rather than refreshing forever.
func TestToken_persistent401(t *testing.T) {
	fake := newFake()
	fake.roaming = func(int, *http.Request) *http.Response {
		return errorAnswer(http.StatusUnauthorized, "unauthorized", "Unable to authenticate")
	}
	c := newTestClient(t, fake)
	err := c.ClearAll(context.Background(), "alice")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("want a 401 APIError, got %v", err)
	}
	if !strings.Contains(apiErr.Hint, "check client_id and client_secret") {
		t.Errorf("hint = %q", apiErr.Hint)
	}
	if fake.fetches() != 2 || len(fake.roamingCalls()) != 2 {
		t.Errorf("want exactly one refresh and one resend; got %d fetches, %d calls", fake.fetches(), len(fake.roamingCalls()))
	}
}

// A configured app_token is used as it is; when it is refused the error says it expired.
func TestToken_fixedAppToken(t *testing.T) {
	const appToken = "YWMt-fixed-app-token-from-the-console"
	fake := newFake()
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		if n == 2 {
			return errorAnswer(http.StatusUnauthorized, "unauthorized", "Unable to authenticate due to expired access token")
		}
		return nil
	}
	logs := &logCapture{}
	c := newTestClient(t, fake, func(cfg *easemob.Config) {
		cfg.ClientID, cfg.ClientSecret, cfg.AppToken = "", "", appToken
		cfg.Transport.Logger = logs
	})
	ctx := context.Background()
	if err := c.ClearAll(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	err := c.ClearAll(ctx, "bob")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Hint, "refused app_token, most likely because it has expired") {
		t.Fatalf("want an expired-token hint, got %v", err)
	}
	calls := fake.roamingCalls()
	if fake.fetches() != 0 || len(calls) != 2 || calls[0].Authorization != "Bearer "+appToken {
		t.Errorf("a fixed token is never fetched or renewed; got %d fetches, calls %+v", fake.fetches(), calls)
	}
	for _, line := range logs.all() {
		if strings.Contains(line, appToken) {
			t.Errorf("app token leaked: %s", line)
		}
	}
}

// The token is looked up for each attempt: when a backoff carries the clock past the renewal
// point, the retry goes out with a renewed token instead of one about to lapse.
func TestToken_retryCarriesARenewedToken(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := newFake()
	fake.tokenLifetime = 100 // renewed after 90 s
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		if n == 1 {
			return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "try again")
		}
		return nil
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) {
		cfg.Now = clock.Now
		// The backoff before the retry lasts past the token's renewal point.
		cfg.Transport.Sleep = func(context.Context, time.Duration) error { clock.Advance(95 * time.Second); return nil }
		// A cap on attempts makes the token request's own retries countable here.
		cfg.Transport.Settings.MaxRetries = 4
	})
	if err := c.ClearAll(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	calls := fake.roamingCalls()
	if len(calls) != 2 || calls[0].Authorization != "Bearer "+tokenValue(1) || calls[1].Authorization != "Bearer "+tokenValue(2) {
		t.Errorf("want the first attempt with token 1 and the retry with token 2; got %+v", calls)
	}
	if n := fake.fetches(); n != 2 {
		t.Errorf("token fetched %d times, want 2", n)
	}
}

// Calls that all find the token due for renewal share one fetch, and all carry its result.
func TestToken_concurrentCallersShareOneRenewal(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := newFake()
	fake.tokenLifetime = 600
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Now = clock.Now })
	ctx := context.Background()
	if err := c.ClearAll(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(541 * time.Second)     // past the renewal point at 540 s, before expiry
	fake.tokenGate = make(chan struct{}) // no call is running: the goroutines below start after this
	const callers = 25
	callConcurrently(t, callers, func() error { return c.ClearAll(ctx, "alice") }, func() { close(fake.tokenGate) })
	if n := fake.fetches(); n != 2 {
		t.Errorf("token fetched %d times, want 2 (the first and one renewal for %d callers)", n, callers)
	}
	for _, call := range fake.roamingCalls()[1:] {
		if call.Authorization != "Bearer "+tokenValue(2) {
			t.Errorf("a call after the renewal point carried %q, want the renewed token", call.Authorization)
		}
	}
}

// A renewal that fails inside an attempt ends the call: the token request had its own
// retries, so neither it nor the call is repeated on top of them, and the error says what
// failed.
func TestToken_failedRenewalIsNotRetriedTwice(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := newFake()
	fake.tokenLifetime = 100
	fake.tokenAnswer = func(fetch int) *http.Response {
		if fetch == 1 {
			return httpmock.NewJsonResponseOrPanic(http.StatusOK, map[string]any{"access_token": tokenValue(1), "expires_in": 100})
		}
		return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "token service down")
	}
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "try again")
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) {
		cfg.Now = clock.Now
		cfg.Transport.Sleep = func(context.Context, time.Duration) error { clock.Advance(95 * time.Second); return nil }
		// A cap on attempts makes the token request's own retries countable here.
		cfg.Transport.Settings.MaxRetries = 4
	})
	err := c.ClearAll(context.Background(), "alice")
	if err == nil || !strings.Contains(err.Error(), "renewing the app token failed") || !strings.Contains(err.Error(), "token service down") {
		t.Fatalf("want an error saying the renewal failed, with the token endpoint's answer; got %v", err)
	}
	if client.IsRetryable(err) {
		t.Error("a failed renewal is marked retryable, so the transport would retry it under a second budget")
	}
	// One roaming attempt (503), then one renewal with its 5 attempts (max_retries 4).
	if calls, fetches := len(fake.roamingCalls()), fake.fetches(); calls != 1 || fetches != 1+5 {
		t.Errorf("roaming calls = %d, token requests = %d; want 1 and 6", calls, fetches)
	}
}

// callConcurrently runs call from callers goroutines, runs release once all have started (to
// open a gate they may be waiting at), and fails the test on any error.
func callConcurrently(t *testing.T, callers int, call func() error, release func()) {
	t.Helper()
	var started, finished sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		started.Add(1)
		finished.Add(1)
		go func() {
			defer finished.Done()
			started.Done()
			errs <- call()
		}()
	}
	started.Wait()
	release()
	finished.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// A call whose first round got a 503 (it may have taken effect) and then a 401 is sent once
// more with a fresh token; when that one is refused outright, the call as a whole still may
// have taken effect, and must say so.
func TestToken_resendKeepsAnEarlierUnknownOutcome(t *testing.T) {
	fake := newFake()
	fake.roaming = func(n int, r *http.Request) *http.Response {
		switch {
		case n == 1:
			return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "try again")
		case r.Header.Get("Authorization") == "Bearer "+tokenValue(1):
			return errorAnswer(http.StatusUnauthorized, "unauthorized", "expired")
		}
		return errorAnswer(http.StatusBadRequest, "illegal_argument", "bad request")
	}
	c := newTestClient(t, fake)
	err := c.ClearAll(context.Background(), "alice")
	if err == nil || len(fake.roamingCalls()) != 3 {
		t.Fatalf("after %d calls: %v, want the 400 of the third", len(fake.roamingCalls()), err)
	}
	if !client.OutcomeUnknown(err) {
		t.Errorf("the call reads as certainly not carried out, but its first request got a 503: %v", err)
	}
	// The roaming call's illegal_argument is not the token request's: no advice on credentials.
	if strings.Contains(err.Error(), "token request") {
		t.Errorf("a roaming call's 400 is blamed on the token request: %v", err)
	}
}

// When the token endpoint fails with a server error, the call that needed the token was
// never sent: it took no effect (the token request's outcome is not its own), and the
// token endpoint's error still comes back as the vendor's error.
func TestToken_failedFirstFetchIsACallNeverSent(t *testing.T) {
	fake := newFake()
	fake.tokenAnswer = func(int) *http.Response {
		return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "down")
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Transport.Settings.MaxRetries = 2 })
	err := c.ClearAll(context.Background(), "alice")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusServiceUnavailable {
		t.Fatalf("want the token endpoint's 503, got %v", err)
	}
	if n := len(fake.roamingCalls()); n != 0 {
		t.Fatalf("%d roaming calls sent without a token", n)
	}
	if client.OutcomeUnknown(err) {
		t.Errorf("a call never sent reads as one that may have taken effect: %v", err)
	}
}

// A renewal that fails while the token still has time left does not fail the calls: they go
// on with the current token, and the endpoint is asked again a minute later, not by every call.
func TestToken_failedRenewalKeepsAStillValidToken(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fake := newFake()
	var down atomic.Bool
	fake.tokenAnswer = func(fetch int) *http.Response {
		if down.Load() {
			return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "token service down")
		}
		return httpmock.NewJsonResponseOrPanic(http.StatusOK, map[string]any{"access_token": tokenValue(fetch), "expires_in": 7200})
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) {
		cfg.Now = clock.Now
		cfg.Transport.Settings.MaxRetries = 1
	})
	call := func() string {
		t.Helper()
		if err := c.ClearAll(context.Background(), "alice"); err != nil {
			t.Fatal(err)
		}
		calls := fake.roamingCalls()
		return calls[len(calls)-1].Authorization
	}
	call()
	// Two hours' lifetime: renewal is due after 108 minutes, and the token endpoint is down.
	down.Store(true)
	clock.Advance(110 * time.Minute)
	if got := call(); got != "Bearer "+tokenValue(1) {
		t.Fatalf("with the renewal failed: token %q, want the still-valid first token", got)
	}
	fetches := fake.fetches() // the first fetch and the failed renewal's attempts
	clock.Advance(30 * time.Second)
	if got := call(); got != "Bearer "+tokenValue(1) || fake.fetches() != fetches {
		t.Errorf("30s later: token %q after %d more fetches, want the first token and no new fetch", got, fake.fetches()-fetches)
	}
	// A minute after the failure the renewal is tried again, and this time it works.
	down.Store(false)
	clock.Advance(31 * time.Second)
	if got := call(); got != "Bearer "+tokenValue(fetches+1) {
		t.Errorf("a minute after the failed renewal: token %q, want the renewed one", got)
	}
}

// The token endpoint's illegal_argument is about the credentials sent, and says so.
func TestToken_illegalArgumentPointsAtTheCredentials(t *testing.T) {
	fake := newFake()
	fake.tokenAnswer = func(int) *http.Response {
		return errorAnswer(http.StatusBadRequest, "illegal_argument", "client_id is invalid")
	}
	err := newTestClient(t, fake).ClearAll(context.Background(), "alice")
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Hint, "refused the token request; check client_id and client_secret") {
		t.Errorf("want the token request's hint, got %v", err)
	}
}

// A call whose first round met a 503 and then a 401, and whose token then could not be
// fetched again, was not sent a second time; but its first round may have taken effect, and
// the call must say so.
func TestToken_failedRefetchKeepsAnEarlierUnknownOutcome(t *testing.T) {
	fake := newFake()
	fake.tokenAnswer = func(fetch int) *http.Response {
		if fetch == 1 {
			return httpmock.NewJsonResponseOrPanic(http.StatusOK, map[string]any{"access_token": tokenValue(1), "expires_in": 7200})
		}
		return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "token service down")
	}
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		if n == 1 {
			return errorAnswer(http.StatusServiceUnavailable, "service_unavailable", "try again")
		}
		return errorAnswer(http.StatusUnauthorized, "unauthorized", "expired")
	}
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Transport.Settings.MaxRetries = 2 })
	err := c.ClearAll(context.Background(), "alice")
	if err == nil || len(fake.roamingCalls()) != 2 {
		t.Fatalf("after %d roaming calls: %v, want the failed token fetch after the 401", len(fake.roamingCalls()), err)
	}
	if !client.OutcomeUnknown(err) {
		t.Errorf("the call reads as certainly not carried out, but its first request got a 503: %v", err)
	}
}
