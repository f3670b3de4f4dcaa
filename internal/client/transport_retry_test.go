package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// An outage of 8 seconds on every call is ridden out with the default settings: the retry
// budget is time, not a handful of attempts that are spent in two seconds.
func TestTransportDefaultBudgetRidesOutAnEightSecondOutage(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", func(*http.Request) (*http.Response, error) {
		if s.slept() < 8*time.Second {
			return httpmock.NewStringResponse(503, "down for a deploy"), nil
		}
		return httpmock.NewStringResponse(200, `{"ok":true}`), nil
	})
	resp, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err != nil {
		t.Fatalf("Do after an 8s outage: %v", err)
	}
	if resp.Attempts <= 5 || s.slept() > 30*time.Second {
		t.Errorf("%d attempts over %v of waits; want more than the old 5 attempts, and no wait far beyond the outage", resp.Attempts, s.slept())
	}
}

// An outage longer than the budget fails once the budget is spent, and says which setting
// bounds it; the call's outcome is unknown, since 5xx answers may hide work done.
func TestTransportGivesUpWhenTheRetryBudgetIsSpent(t *testing.T) {
	s := newTestTransport(t, Settings{RetryTimeout: 20 * time.Second}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(503, "down"))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	var callErr *CallError
	if !errors.As(err, &callErr) || !callErr.OutcomeUnknown || !strings.Contains(err.Error(), "retry_timeout is 20s") || !strings.Contains(err.Error(), "outage") {
		t.Fatalf("err = %v, want a CallError of unknown outcome naming retry_timeout", err)
	}
	// The last attempt lands on the deadline: the waits add up to the budget, not beyond it.
	if slept := s.slept(); slept < 19*time.Second || slept > 20*time.Second {
		t.Errorf("waited %v in all, want the 20s budget", slept)
	}
	if callErr.Attempts != s.mock.GetTotalCallCount() {
		t.Errorf("CallError counts %d attempts, the server saw %d", callErr.Attempts, s.mock.GetTotalCallCount())
	}
}

// A pause the vendor asks for that ends after the budget is not waited out in vain.
func TestTransportRetryAfterBeyondTheBudgetGivesUpAtOnce(t *testing.T) {
	s := newTestTransport(t, Settings{RetryTimeout: 5 * time.Second}, "https://api.example")
	limited := httpmock.NewStringResponse(429, "slow down")
	limited.Header.Set("Retry-After", "30")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromResponse(limited))
	_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
	if err == nil || !strings.Contains(err.Error(), "asked to wait 30s") || len(s.sleeps) != 0 || s.mock.GetTotalCallCount() != 1 {
		t.Fatalf("err = %v after %d calls and waits %v; want one call, no wait, and why", err, s.mock.GetTotalCallCount(), s.sleeps)
	}
}

// RetryOnlyUnsent resends a rate-limit refusal (the vendor did nothing) but never a request
// that timed out after it was sent.
func TestTransportOnlyUnsentPolicyRetriesRateLimitRefusals(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(429, "slow down"),
		httpmock.NewStringResponse(200, `{"ok":true}`),
	}))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryOnlyUnsent)); err != nil {
		t.Fatalf("a 429 must be retried under RetryOnlyUnsent: %v", err)
	}

	s = newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewErrorResponder(context.DeadlineExceeded))
	_, err := s.transport.Do(context.Background(), testRequest(RetryOnlyUnsent))
	if err == nil || !OutcomeUnknown(err) || s.mock.GetTotalCallCount() != 1 {
		t.Errorf("timeout: err = %v after %d calls, want one call of unknown outcome", err, s.mock.GetTotalCallCount())
	}
}

// A cancel before anything was sent is a known outcome (nothing happened) and reads as a
// cancel, without network advice.
func TestTransportCancelBeforeSending(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.transport.Do(ctx, testRequest(RetryTransient))
	if !errors.Is(err, context.Canceled) || OutcomeUnknown(err) || s.mock.GetTotalCallCount() != 0 {
		t.Fatalf("err = %v (unknown %v) after %d calls; want a cancel with nothing sent", err, OutcomeUnknown(err), s.mock.GetTotalCallCount())
	}
	if msg := err.Error(); !strings.Contains(msg, "cancelled before the request to test call was sent") || strings.Contains(msg, "DNS") {
		t.Errorf("message = %q", msg)
	}
}

// A cancel while the request waits for its answer leaves the outcome unknown: the vendor may
// finish the work after we stop listening.
func TestTransportCancelInFlightIsUnknown(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	ctx, cancel := context.WithCancel(context.Background())
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", func(r *http.Request) (*http.Response, error) {
		cancel()
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	_, err := s.transport.Do(ctx, testRequest(RetryTransient))
	if !errors.Is(err, context.Canceled) || !OutcomeUnknown(err) {
		t.Fatalf("err = %v (unknown %v), want a cancel of unknown outcome", err, OutcomeUnknown(err))
	}
	if msg := err.Error(); !strings.Contains(msg, "cancelled while waiting for the answer") || !strings.Contains(msg, "may have taken effect") ||
		strings.Contains(msg, "DNS") || strings.Contains(msg, "api_urls") {
		t.Errorf("message = %q, want a cancel without network advice", msg)
	}
}

// An attempt that timed out after sending may have taken effect; a cancel during the backoff
// that follows does not make the call's outcome known.
func TestTransportOutcomeUnknownSurvivesCancelDuringBackoff(t *testing.T) {
	s := newTestTransport(t, Settings{}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do",
		httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout")}))
	ctx, cancel := context.WithCancel(context.Background())
	s.transport.cfg.Sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	_, err := s.transport.Do(ctx, testRequest(RetryTransient))
	if !errors.Is(err, context.Canceled) || !OutcomeUnknown(err) || s.mock.GetTotalCallCount() != 1 {
		t.Fatalf("err = %v (unknown %v) after %d calls; want a cancel of unknown outcome after one call", err, OutcomeUnknown(err), s.mock.GetTotalCallCount())
	}
}

// Errors name the vendor's base address and the operation, never the URL below it: the path
// holds a user ID and the query message IDs.
func TestTransportErrorsShowNoPathOrQuery(t *testing.T) {
	s := newTestTransport(t, Settings{NoRetries: true}, "https://api.example/gw")
	s.mock.RegisterNoResponder(httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}))
	req := testRequest(RetryTransient)
	req.Path = "/users/" + url.PathEscape("alice-personal") + "/messages"
	req.Query = url.Values{"msgIdList": {"1159999999999999991,1159999999999999992"}}
	_, err := s.transport.Do(context.Background(), req)
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, leak := range []string{"alice-personal", "msgIdList", "115999999999999999", "/users"} {
		if strings.Contains(msg, leak) {
			t.Errorf("error shows %q: %s", leak, msg)
		}
	}
	if !strings.Contains(msg, "https://api.example/gw") || !strings.Contains(msg, "test call") {
		t.Errorf("error lacks the base address or the operation: %s", msg)
	}
	// DEBUG logs keep the full URL for whoever needs it.
	if !strings.Contains(s.logger.text(), "1159999999999999991") {
		t.Error("the DEBUG log lost the request URL")
	}
}

// A base URL that failed is skipped by every later call for the cool-down, then probed by one
// call; the switches are logged.
func TestTransportFailoverIsStickyAndProbesAfterCooldown(t *testing.T) {
	s := newTestTransport(t, Settings{FailoverCooldown: 30 * time.Second}, "https://primary.example", "https://backup.example")
	primaryUp := false
	var mu sync.Mutex
	s.mock.RegisterResponder("POST", "https://primary.example/v1/do", func(*http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if !primaryUp {
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
		}
		return httpmock.NewStringResponse(200, `{"ok":true}`), nil
	})
	s.mock.RegisterResponder("POST", "https://backup.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
	calls := func() (primary, backup int) {
		info := s.mock.GetCallCountInfo()
		return info["POST https://primary.example/v1/do"], info["POST https://backup.example/v1/do"]
	}
	for range 5 {
		if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
			t.Fatal(err)
		}
		s.advance(time.Second)
	}
	if primary, backup := calls(); primary != 1 || backup != 5 {
		t.Errorf("primary %d, backup %d calls; want the primary tried once, then skipped", primary, backup)
	}
	if len(s.sleeps) != 0 {
		t.Errorf("waited %v; moving to a healthy backup needs no backoff", s.sleeps)
	}

	// After the cool-down one call probes the primary, which is still down; the others keep
	// to the backup for another cool-down.
	s.advance(30 * time.Second)
	for range 3 {
		if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
			t.Fatal(err)
		}
	}
	if primary, backup := calls(); primary != 2 || backup != 8 {
		t.Errorf("primary %d, backup %d calls; want exactly one probe of the primary", primary, backup)
	}

	// It recovers: the next probe succeeds and the calls go back to it.
	mu.Lock()
	primaryUp = true
	mu.Unlock()
	s.advance(31 * time.Second)
	for range 3 {
		if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
			t.Fatal(err)
		}
	}
	if primary, backup := calls(); primary != 5 || backup != 8 {
		t.Errorf("primary %d, backup %d calls; want the primary back in use", primary, backup)
	}
	logs := s.logger.text()
	for _, line := range []string{"base URL failed; skipping it", "switched to another base URL", "switched back to a base URL that answers again"} {
		if !strings.Contains(logs, line) {
			t.Errorf("DEBUG log lacks %q", line)
		}
	}
}

// While one call probes a base URL whose cool-down is over, the others do not pile onto it.
func TestTransportOneProbeAtATime(t *testing.T) {
	s := newTestTransport(t, Settings{FailoverCooldown: 30 * time.Second}, "https://primary.example", "https://backup.example")
	probing := make(chan struct{})
	release := make(chan struct{})
	var primaryCalls int
	var mu sync.Mutex
	s.mock.RegisterResponder("POST", "https://primary.example/v1/do", func(*http.Request) (*http.Response, error) {
		mu.Lock()
		primaryCalls++
		n := primaryCalls
		mu.Unlock()
		if n == 1 {
			return httpmock.NewStringResponse(503, "down"), nil
		}
		close(probing)
		<-release
		return httpmock.NewStringResponse(200, `{"ok":true}`), nil
	})
	s.mock.RegisterResponder("POST", "https://backup.example/v1/do", httpmock.NewStringResponder(200, `{"ok":true}`))
	if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
		t.Fatal(err)
	}
	s.advance(31 * time.Second)
	probeDone := make(chan error, 1)
	go func() {
		_, err := s.transport.Do(context.Background(), testRequest(RetryTransient))
		probeDone <- err
	}()
	<-probing
	for range 3 {
		if _, err := s.transport.Do(context.Background(), testRequest(RetryTransient)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-probeDone; err != nil {
		t.Fatal(err)
	}
	if info := s.mock.GetCallCountInfo(); info["POST https://primary.example/v1/do"] != 2 || info["POST https://backup.example/v1/do"] != 4 {
		t.Errorf("calls = %v; want the failure, one probe, and the rest on the backup", info)
	}
}

// Vendor messages that end with a full stop are joined to hints without doubling it.
func TestJoinSentences(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{[]string{"the group has been deleted.", "check group_id"}, "the group has been deleted. Check group_id"},
		{[]string{"a..", "", " b. ", "c"}, "a. B. C"},
		{[]string{"", "only"}, "only"},
	} {
		if got := JoinSentences(tc.parts...); got != tc.want {
			t.Errorf("JoinSentences(%q) = %q, want %q", tc.parts, got, tc.want)
		}
	}
	apiErr := &APIError{Vendor: "Tencent Cloud IM", Operation: "recall", Code: "10010", Message: "this group has been deleted.", Hint: "check group_id"}
	if got := apiErr.Error(); strings.Contains(got, "..") || !strings.Contains(got, "deleted. Check group_id") {
		t.Errorf("APIError = %q", got)
	}
	if got := EndSentence("ends here."); got != "ends here." {
		t.Errorf("EndSentence = %q", got)
	}
}

// When a retry is due but the rate limiter cannot let it go before the call's deadline, the
// error is the last answer plus why no retry followed.
func TestTransportRetryPastTheDeadlineSaysWhy(t *testing.T) {
	s := newTestTransport(t, Settings{RequestsPerSecond: 1}, "https://api.example")
	s.mock.RegisterResponder("POST", "https://api.example/v1/do", httpmock.NewStringResponder(503, "down"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := s.transport.Do(ctx, testRequest(RetryTransient))
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "past the deadline") {
		t.Errorf("err = %v, want the 503 and that the retry would run past the deadline", err)
	}
}
