package easemob_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// Each call sends exactly the documented method, path and query, with IDs escaped and the
// gateway prefix kept.
func TestCalls_methodPathQuery(t *testing.T) {
	before := time.Date(2022, 7, 28, 13, 27, 48, 0, time.UTC) // the seed page's delTime example
	for _, tc := range []struct {
		name                string
		call                func(ctx context.Context, c *easemob.Client) error
		method, path, query string
	}{
		{"delete chat messages", func(ctx context.Context, c *easemob.Client) error {
			_, err := c.DeleteChatMessages(ctx, "a.b-c_9", "bob.smith", []string{"m1", "m2"}, false, nil)
			return err
		}, http.MethodDelete, testAppPath + "/rest/message/roaming/chat/user/a.b-c_9",
			"isNotify=false&msgIdList=m1%2Cm2&userId=bob.smith"},
		{"delete group messages", func(ctx context.Context, c *easemob.Client) error {
			_, err := c.DeleteGroupMessages(ctx, "alice", "g#1 x", []string{"m9"}, true, nil)
			return err
		}, http.MethodDelete, testAppPath + "/rest/message/roaming/group/user/alice",
			"groupId=g%231+x&isNotify=true&msgIdList=m9"},
		{"clear all", func(ctx context.Context, c *easemob.Client) error {
			return c.ClearAll(ctx, "alice")
		}, http.MethodPost, testAppPath + "/rest/message/roaming/user/alice/delete/all", ""},
		{"clear chat before", func(ctx context.Context, c *easemob.Client) error {
			return c.ClearChatBefore(ctx, "alice", "bob", before, true)
		}, http.MethodDelete, testAppPath + "/rest/message/roaming/chat/user/alice/time",
			"delTime=1659014868000&isNotify=true&userId=bob"},
		{"clear group before", func(ctx context.Context, c *easemob.Client) error {
			return c.ClearGroupBefore(ctx, "alice", "room 7", before.Add(1500*time.Microsecond), false)
		}, http.MethodDelete, testAppPath + "/rest/message/roaming/group/user/alice/time",
			"delTime=1659014868001&groupId=room+7&isNotify=false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			c := newTestClient(t, fake)
			if err := tc.call(context.Background(), c); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			calls := fake.roamingCalls()
			if len(calls) != 1 {
				t.Fatalf("want 1 roaming call, got %d: %+v", len(calls), calls)
			}
			got := calls[0]
			if got.Method != tc.method || got.Path != tc.path || got.Query != tc.query {
				t.Errorf("sent %s %s?%s\nwant %s %s?%s", got.Method, got.Path, got.Query, tc.method, tc.path, tc.query)
			}
			if got.Authorization != "Bearer "+tokenValue(1) {
				t.Errorf("Authorization = %q, want the fetched token", got.Authorization)
			}
			if got.ContentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got.ContentType)
			}
		})
	}
}

// More than 50 IDs are split into calls of at most 50 that together cover every ID once.
func TestDeleteChatMessages_chunksOf50(t *testing.T) {
	fake := newFake()
	c := newTestClient(t, fake)
	var ids []string
	for i := range 120 {
		ids = append(ids, fmt.Sprintf("msg-%03d", i))
	}
	var (
		mu   sync.Mutex
		last client.ChunkProgress
	)
	// Reports come from the worker goroutines, not necessarily in order: keep the furthest.
	report := func(p client.ChunkProgress) {
		mu.Lock()
		defer mu.Unlock()
		if p.CallsDone > last.CallsDone {
			last = p
		}
	}
	done, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, true, report)
	if err != nil {
		t.Fatal(err)
	}
	calls := fake.roamingCalls()
	if len(calls) != 3 {
		t.Fatalf("want 3 calls for 120 IDs, got %d", len(calls))
	}
	var sent []string
	for _, call := range calls {
		q, _ := url.ParseQuery(call.Query)
		chunk := strings.Split(q.Get("msgIdList"), ",")
		if len(chunk) > easemob.MessageIDsPerCall {
			t.Errorf("a call carried %d IDs, more than %d", len(chunk), easemob.MessageIDsPerCall)
		}
		sent = append(sent, chunk...)
	}
	slices.Sort(sent)
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(sent, want) {
		t.Errorf("IDs sent differ from the input: sent %d, want %d", len(sent), len(want))
	}
	wantProgress := client.ChunkProgress{CallsDone: 3, CallsTotal: 3, ItemsDone: 120, ItemsTotal: 120}
	if done != wantProgress || last != wantProgress {
		t.Errorf("progress = %+v (last reported %+v), want %+v", done, last, wantProgress)
	}
}

// Rate-limit and server-side answers are retried; the call then succeeds.
func TestCall_retries429And503(t *testing.T) {
	fake := newFake()
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		switch n {
		case 1:
			return errorAnswer(http.StatusTooManyRequests, "reach_limit", "This request has reached api limit")
		case 2:
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, "<html>Service Unavailable</html>")
		}
		return nil
	}
	c := newTestClient(t, fake)
	if err := c.ClearAll(context.Background(), "alice"); err != nil {
		t.Fatalf("want success after retries, got %v", err)
	}
	if n := len(fake.roamingCalls()); n != 3 {
		t.Errorf("want 3 attempts (429, 503, ok), got %d", n)
	}
	if n := fake.fetches(); n != 1 {
		t.Errorf("retries must reuse the token; fetched %d", n)
	}
}

// Each error shape becomes an APIError with the vendor's code and message and useful advice.
func TestErrors_shapes(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		body        string
		onToken     bool
		wantStatus  int
		wantCode    string
		wantMessage string
		wantHint    string
		retryable   bool
	}{
		{name: "roaming not enabled", status: 400, body: errorJSON("service open exception", "this appKey not open message roaming"),
			wantStatus: 400, wantCode: "service open exception", wantMessage: "this appKey not open message roaming",
			wantHint: "enable message roaming for this app in the Easemob console (a permanent setting; retrying does not help)"},
		{name: "too many IDs", status: 400, body: errorJSON("param exception", "delete msg list limit can not greater than 50"),
			wantStatus: 400, wantCode: "param exception", wantMessage: "delete msg list limit can not greater than 50",
			wantHint: "at most 50 message IDs per call"},
		{name: "missing parameter", status: 400, body: errorJSON("Bad Request", "Bad Request"),
			wantStatus: 400, wantCode: "Bad Request", wantMessage: "Bad Request", wantHint: "check the user, peer and group IDs"},
		{name: "rate limited", status: 429, body: errorJSON("reach_limit", "This request has reached api limit"),
			wantStatus: 429, wantCode: "reach_limit", wantHint: "lower requests_per_second", retryable: true},
		{name: "gateway error page", status: 502, body: "<html>Bad Gateway</html>",
			wantStatus: 502, wantMessage: "<html>Bad Gateway</html>", wantHint: "applying again is safe", retryable: true},
		{name: "unknown org or app", onToken: true, status: 404, body: errorJSON("organization_application_not_found", "Could not find application for acme/chat app"),
			wantStatus: 404, wantCode: "organization_application_not_found", wantHint: "check org_name and app_name, and that api_url"},
		{name: "wrong client secret", onToken: true, status: 400, body: errorJSON("invalid_grant", "client_secret does not match"),
			wantStatus: 400, wantCode: "invalid_grant", wantMessage: "client_secret does not match", wantHint: "client_secret does not match client_id"},
		{name: "not ok", status: 200, body: `{"requestStatusCode":"fail"}`,
			wantStatus: 200, wantMessage: `unexpected answer: {"requestStatusCode":"fail"}`, wantHint: "did not confirm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake()
			// A response body can be read once, so every attempt gets a fresh one.
			answer := func() *http.Response { return httpmock.NewStringResponse(tc.status, tc.body) }
			if tc.onToken {
				fake.tokenAnswer = func(int) *http.Response { return answer() }
			} else {
				fake.roaming = func(int, *http.Request) *http.Response { return answer() }
			}
			c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Transport.Settings.MaxRetries = 1 })
			err := c.ClearAll(context.Background(), "alice")
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *client.APIError, got %T: %v", err, err)
			}
			if apiErr.Vendor != easemob.Vendor || apiErr.HTTPStatus != tc.wantStatus || apiErr.Code != tc.wantCode {
				t.Errorf("got vendor %q status %d code %q, want Easemob %d %q", apiErr.Vendor, apiErr.HTTPStatus, apiErr.Code, tc.wantStatus, tc.wantCode)
			}
			if tc.wantMessage != "" && apiErr.Message != tc.wantMessage {
				t.Errorf("Message = %q, want %q", apiErr.Message, tc.wantMessage)
			}
			if !strings.Contains(apiErr.Hint, tc.wantHint) {
				t.Errorf("Hint = %q, want it to contain %q", apiErr.Hint, tc.wantHint)
			}
			if apiErr.Retryable != tc.retryable {
				t.Errorf("Retryable = %v, want %v", apiErr.Retryable, tc.retryable)
			}
			wantAttempts := 1
			if tc.retryable {
				wantAttempts = 2
			}
			attempts := len(fake.roamingCalls())
			if tc.onToken {
				attempts = fake.fetches()
			}
			if attempts != wantAttempts {
				t.Errorf("sent %d times, want %d", attempts, wantAttempts)
			}
		})
	}
}

// No log line, and no error, shows the client secret or an issued token, whether the calls
// succeed, are refused, or force a token refresh.
func TestLogs_neverShowSecretsOrTokens(t *testing.T) {
	fake := newFake()
	fake.roaming = func(n int, _ *http.Request) *http.Response {
		switch n {
		case 1:
			return errorAnswer(http.StatusUnauthorized, "unauthorized", "Unable to authenticate due to expired access token")
		case 3:
			return errorAnswer(http.StatusBadRequest, "Bad Request", "Bad Request")
		}
		return nil
	}
	logs := &logCapture{}
	c := newTestClient(t, fake, func(cfg *easemob.Config) { cfg.Transport.Logger = logs })
	ctx := context.Background()
	if err := c.ClearAll(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	err := c.ClearChatBefore(ctx, "alice", "bob", time.Now(), true)
	if err == nil {
		t.Fatal("want the injected 400")
	}
	lines := logs.all()
	if len(lines) < 6 {
		t.Fatalf("expected request and answer lines for 2 token fetches and 3 calls, got %d", len(lines))
	}
	secrets := []string{testClientSecret, tokenValue(1), tokenValue(2)}
	for _, line := range append(lines, err.Error()) {
		for _, secret := range secrets {
			if strings.Contains(line, secret) {
				t.Errorf("secret %q leaked in: %s", secret, line)
			}
		}
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, `"access_token":"***"`) }) {
		t.Errorf("the token answer should be logged with the token masked; lines:\n%s", strings.Join(lines, "\n"))
	}
}

func TestNew_credentialRules(t *testing.T) {
	base, _ := url.Parse(testAPIURL)
	transport := client.Config{BaseURLs: []*url.URL{base}}
	for _, tc := range []struct {
		name string
		cfg  easemob.Config
		want string
	}{
		{"both kinds", easemob.Config{OrgName: "o", AppName: "a", ClientID: "id", ClientSecret: "s", AppToken: "t", Transport: transport}, "not both"},
		{"secret only", easemob.Config{OrgName: "o", AppName: "a", ClientSecret: "s", Transport: transport}, "client_id and client_secret"},
		{"no app", easemob.Config{OrgName: "o", AppToken: "t", Transport: transport}, "app_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := easemob.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}

// IDs no Easemob user or message can have are refused before anything is sent, for callers
// that bypass plan: Easemob would answer "ok" to them and delete nothing. A comma inside one
// message ID would name two messages, and "." or ".." as a user ID another route. The
// errors never repeat the ID, which is personal data.
func TestRefusesIDsNoUserOrMessageCanHave(t *testing.T) {
	fake := newFake()
	c := newTestClient(t, fake)
	ctx := context.Background()
	badUsers := []string{"bob/../alice", "bob?userId=carol", "bob#x", "bob%2Falice", "b ob", "bj\u00f6rn", ".", "..",
		"Bob", "", "tab\tuser", strings.Repeat("u", easemob.MaxUserIDBytes+1)}
	refused := func(what, id string, err error) {
		t.Helper()
		switch {
		case err == nil:
			t.Errorf("%s(%q) was accepted", what, id)
		case len(id) > 2 && strings.Contains(err.Error(), id):
			t.Errorf("%s(%q): the error repeats the ID: %v", what, id, err)
		}
	}
	for _, user := range badUsers {
		refused("ClearAll", user, c.ClearAll(ctx, user))
		refused("ClearChatBefore", user, c.ClearChatBefore(ctx, user, "bob", time.Now(), true))
		refused("ClearChatBefore peer", user, c.ClearChatBefore(ctx, "alice", user, time.Now(), true))
		refused("ClearGroupBefore", user, c.ClearGroupBefore(ctx, user, "g1", time.Now(), true))
		_, err := c.DeleteChatMessages(ctx, user, "bob", []string{"m1"}, true, nil)
		refused("DeleteChatMessages", user, err)
		_, err = c.DeleteChatMessages(ctx, "alice", user, []string{"m1"}, true, nil)
		refused("DeleteChatMessages peer", user, err)
		_, err = c.DeleteGroupMessages(ctx, user, "g1", []string{"m1"}, true, nil)
		refused("DeleteGroupMessages", user, err)
	}
	longID := strings.Repeat("1", 10000)
	for _, ids := range [][]string{{"c1,c2"}, {"c1 c2"}, {"ok", ""}, {"tab\tid"}, {"1159999999999999999", longID},
		{strings.Repeat("9", easemob.MaxMessageIDLength+1)}} {
		_, err := c.DeleteChatMessages(ctx, "alice", "bob", ids, true, nil)
		refused("DeleteChatMessages", strings.Join(ids, "|"), err)
		_, err = c.DeleteGroupMessages(ctx, "alice", "g1", ids, true, nil)
		refused("DeleteGroupMessages", strings.Join(ids, "|"), err)
		if err != nil && strings.Contains(err.Error(), longID[:100]) {
			t.Errorf("the error repeats the message ID: %.200s", err)
		}
	}
	if _, err := c.DeleteGroupMessages(ctx, "alice", "", []string{"m1"}, true, nil); err == nil {
		t.Error("an empty group ID was accepted")
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if n := len(fake.requests) + fake.tokenFetches; n != 0 {
		t.Errorf("%d requests were sent; want none", n)
	}
}

// The longest valid IDs, and every character the rules allow, go through.
func TestAcceptsIDsAtTheLimits(t *testing.T) {
	fake := newFake()
	c := newTestClient(t, fake)
	ctx := context.Background()
	user := "a0_-." + strings.Repeat("z", easemob.MaxUserIDBytes-5)
	msgID := strings.Repeat("9", easemob.MaxMessageIDLength)
	if _, err := c.DeleteChatMessages(ctx, user, "bob-9.x_y", []string{msgID, "1159999999999999999"}, true, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearAll(ctx, user); err != nil {
		t.Fatal(err)
	}
	if calls := fake.roamingCalls(); len(calls) != 2 || !strings.HasSuffix(calls[0].Path, "/chat/user/"+user) {
		t.Errorf("calls = %+v, want the chat deletion for %s and the clear", calls, user)
	}
}
