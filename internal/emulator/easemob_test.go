package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

const (
	easemobTestSecret = "client-secret-0123456789"
	// t0 is 2024-01-01T00:00:00Z in ms; fixture messages are sent a minute apart from it.
	t0 = int64(1704067200000)
)

// easemobFixture: alice and bob chat (c1..c4); alice and carol chat (d1); group g1 holds
// alice, bob and carol (g1m1..g1m3); chat room r1 holds alice and dave (r1m1, r1m2).
func easemobFixture() Fixture {
	minute := int64(60_000)
	return Fixture{Easemob: &EasemobFixture{
		OrgName: "org", AppName: "app", ClientID: "client-id", ClientSecret: easemobTestSecret,
		Users: []string{"alice", "bob", "carol", "dave", "erin"},
		Groups: []EasemobGroup{
			{GroupID: "g1", Type: "group", Members: []string{"alice", "bob", "carol"}},
			{GroupID: "r1", Type: "chatroom", Members: []string{"alice", "dave"}},
		},
		Messages: []EasemobMessage{
			{MsgID: "c1", From: "alice", To: "bob", ChatType: "chat", Timestamp: t0},
			{MsgID: "c2", From: "bob", To: "alice", ChatType: "chat", Timestamp: t0 + minute},
			{MsgID: "c3", From: "alice", To: "bob", ChatType: "chat", Timestamp: t0 + 2*minute},
			{MsgID: "c4", From: "bob", To: "alice", ChatType: "chat", Timestamp: t0 + 3*minute},
			{MsgID: "d1", From: "carol", To: "alice", ChatType: "chat", Timestamp: t0},
			{MsgID: "g1m1", From: "bob", To: "g1", ChatType: "groupchat", Timestamp: t0},
			{MsgID: "g1m2", From: "carol", To: "g1", ChatType: "groupchat", Timestamp: t0 + minute},
			{MsgID: "g1m3", From: "alice", To: "g1", ChatType: "groupchat", Timestamp: t0 + 2*minute},
			{MsgID: "r1m1", From: "dave", To: "r1", ChatType: "chatroom", Timestamp: t0},
			{MsgID: "r1m2", From: "alice", To: "r1", ChatType: "chatroom", Timestamp: t0 + minute},
		},
	}}
}

type easemobClientConfig struct {
	org, app, clientID, secret, appToken string
	settings                             client.Settings
	now                                  func() time.Time
	// concurrency bounds chunk calls in flight (0: the client's default).
	concurrency int
}

func easemobClient(t *testing.T, baseURL string, cfg easemobClientConfig) *easemob.Client {
	t.Helper()
	u, _ := url.Parse(baseURL + "/easemob")
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&cfg.org, "org")
	fill(&cfg.app, "app")
	if cfg.appToken == "" {
		fill(&cfg.clientID, "client-id")
		fill(&cfg.secret, easemobTestSecret)
	}
	c, err := easemob.New(easemob.Config{
		OrgName: cfg.org, AppName: cfg.app, ClientID: cfg.clientID, ClientSecret: cfg.secret, AppToken: cfg.appToken,
		Now:         cfg.now,
		Concurrency: cfg.concurrency,
		Transport:   client.Config{BaseURLs: []*url.URL{u}, Settings: cfg.settings},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiError(err error) *client.APIError {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return nil
}

func wantView(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestEasemobDeleteChatByIDIsOneWay(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	// d1 belongs to alice's chat with carol and g1m1 to a group: both must be ignored.
	done, err := c.DeleteChatMessages(context.Background(), "alice", "bob", []string{"c1", "c4", "d1", "g1m1", "no-such-id"}, true, nil)
	if err != nil || done.CallsDone != 1 {
		t.Fatalf("delete: %+v, %v", done, err)
	}
	s := emu.Snapshot().Easemob
	wantView(t, "alice's chat with bob", s.ChatView("alice", "bob"), "c2", "c3")
	wantView(t, "bob's chat with alice", s.ChatView("bob", "alice"), "c1", "c2", "c3", "c4")
	wantView(t, "alice's chat with carol", s.ChatView("alice", "carol"), "d1")
	wantView(t, "alice's view of g1", s.GroupView("alice", "g1"), "g1m1", "g1m2", "g1m3")
	if s.TokensIssued != 1 {
		t.Errorf("tokens issued = %d, want 1", s.TokensIssued)
	}
}

func TestEasemobDeleteGroupByIDIsOneWay(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	if _, err := c.DeleteGroupMessages(context.Background(), "bob", "g1", []string{"g1m1", "g1m3", "c1"}, false, nil); err != nil {
		t.Fatal(err)
	}
	s := emu.Snapshot().Easemob
	wantView(t, "bob's view of g1", s.GroupView("bob", "g1"), "g1m2")
	wantView(t, "alice's view of g1", s.GroupView("alice", "g1"), "g1m1", "g1m2", "g1m3")
	wantView(t, "carol's view of g1", s.GroupView("carol", "g1"), "g1m1", "g1m2", "g1m3")
	wantView(t, "bob's chat with alice", s.ChatView("bob", "alice"), "c1", "c2", "c3", "c4")
}

// Clearing up to a time removes the owner's messages at or before it (inclusive, to the ms).
func TestEasemobClearBeforeTime(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	ctx := context.Background()
	c2Time := time.UnixMilli(t0 + 60_000)
	if err := c.ClearChatBefore(ctx, "alice", "bob", c2Time, true); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearGroupBefore(ctx, "dave", "r1", c2Time.Add(-time.Millisecond), false); err != nil {
		t.Fatal(err)
	}
	s := emu.Snapshot().Easemob
	wantView(t, "alice's chat with bob", s.ChatView("alice", "bob"), "c3", "c4")
	wantView(t, "bob's chat with alice", s.ChatView("bob", "alice"), "c1", "c2", "c3", "c4")
	wantView(t, "alice's chat with carol", s.ChatView("alice", "carol"), "d1")
	wantView(t, "dave's view of r1", s.GroupView("dave", "r1"), "r1m2")
	wantView(t, "alice's view of r1", s.GroupView("alice", "r1"), "r1m1", "r1m2")
}

// delete/all empties every conversation of one user, and no one else's.
func TestEasemobClearAll(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	before := emu.Snapshot().Easemob
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	if err := c.ClearAll(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	after := emu.Snapshot().Easemob
	if n := after.MessageCount("alice"); n != 0 {
		t.Errorf("alice still sees %d messages: %+v", n, after.Users["alice"])
	}
	for _, user := range []string{"bob", "carol", "dave", "erin"} {
		if got, want := after.MessageCount(user), before.MessageCount(user); got != want {
			t.Errorf("%s sees %d messages, want %d as before", user, got, want)
		}
	}
	if _, ok := after.Users["alice"]; !ok {
		t.Error("alice should still be listed, with no conversations")
	}
}

// Many concurrent chunks share a single token fetch.
func TestEasemobChunkedDeleteUsesOneToken(t *testing.T) {
	fixture := easemobFixture()
	var ids []string
	for i := range 230 {
		id := fmt.Sprintf("bulk-%03d", i)
		ids = append(ids, id)
		fixture.Easemob.Messages = append(fixture.Easemob.Messages, EasemobMessage{MsgID: id, From: "bob", To: "alice", ChatType: "chat", Timestamp: t0})
	}
	emu := New(fixture, Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	done, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, true, nil)
	if err != nil || done.CallsDone != 5 {
		t.Fatalf("want 5 calls, got %+v, %v", done, err)
	}
	s := emu.Snapshot().Easemob
	wantView(t, "alice's chat with bob", s.ChatView("alice", "bob"), "c1", "c2", "c3", "c4")
	if n := len(s.ChatView("bob", "alice")); n != 234 {
		t.Errorf("bob sees %d messages, want all 234", n)
	}
	if s.TokensIssued != 1 {
		t.Errorf("tokens issued = %d, want 1", s.TokensIssued)
	}
}

func TestEasemobCredentialRefusals(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	baseURL := startEmulator(t, emu)
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		cfg        easemobClientConfig
		status     int
		code, hint string
	}{
		{"wrong secret", easemobClientConfig{secret: "not-the-secret"}, 400, "invalid_grant", "client_secret does not match"},
		{"wrong app", easemobClientConfig{app: "other app"}, 404, "organization_application_not_found", "check org_name and app_name"},
		{"token not issued here", easemobClientConfig{appToken: "YWMt-made-up"}, 401, "unauthorized", "refused app_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := easemobClient(t, baseURL, tc.cfg).ClearAll(ctx, "alice")
			apiErr := apiError(err)
			if apiErr == nil || apiErr.HTTPStatus != tc.status || apiErr.Code != tc.code || !strings.Contains(apiErr.Hint, tc.hint) {
				t.Errorf("got %v, want HTTP %d %s with a hint about %q", err, tc.status, tc.code, tc.hint)
			}
		})
	}
	if n := emu.Snapshot().Easemob.MessageCount("alice"); n != 10 {
		t.Errorf("refused calls changed the store: alice sees %d messages, want 10", n)
	}
}

// Tokens expire on the emulator's clock; the client renews before that and is never refused.
func TestEasemobTokenExpiryAndRenewal(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	fixture := easemobFixture()
	fixture.Easemob.TokenTTLSeconds = 600
	emu := New(fixture, Options{Now: clock, DisableRateLimits: true})
	baseURL := startEmulator(t, emu)
	ctx := context.Background()

	renewing := easemobClient(t, baseURL, easemobClientConfig{now: clock})
	if err := renewing.ClearAll(ctx, "erin"); err != nil {
		t.Fatal(err)
	}
	token := issuedToken(t, baseURL)
	fixed := easemobClient(t, baseURL, easemobClientConfig{appToken: token})
	if err := fixed.ClearAll(ctx, "erin"); err != nil {
		t.Fatalf("a fresh fixed token must work: %v", err)
	}
	advance(590 * time.Second)
	if err := renewing.ClearAll(ctx, "erin"); err != nil {
		t.Fatalf("renewing client: %v", err)
	}
	advance(20 * time.Second)
	if err := renewing.ClearAll(ctx, "erin"); err != nil {
		t.Fatalf("renewing client after the first token expired: %v", err)
	}
	err := fixed.ClearAll(ctx, "erin")
	if apiErr := apiError(err); apiErr == nil || apiErr.HTTPStatus != 401 || !strings.Contains(apiErr.Hint, "expired") {
		t.Errorf("an expired fixed token: got %v, want 401 with an expiry hint", err)
	}
	refusals := 0
	for _, r := range emu.Requests() {
		if r.Status == http.StatusUnauthorized {
			refusals++
		}
	}
	if refusals != 1 {
		t.Errorf("the emulator refused %d calls, want only the expired fixed token's", refusals)
	}
	if got := emu.Snapshot().Easemob.TokensIssued; got != 3 {
		t.Errorf("tokens issued = %d, want 3 (first, the test's own, one renewal)", got)
	}
}

// issuedToken asks the emulator for a token directly, as a user would with curl.
func issuedToken(t *testing.T, baseURL string) string {
	t.Helper()
	resp, err := http.Post(baseURL+"/easemob/org/app/token", "application/json",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"client-id","client_secret":"`+easemobTestSecret+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Application string `json:"application"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.AccessToken == "" || answer.ExpiresIn <= 0 || answer.Application == "" {
		t.Fatalf("token answer %+v, %v", answer, err)
	}
	return answer.AccessToken
}

// rawEasemobCall sends a request with a valid token and returns the status and the error code.
func rawEasemobCall(t *testing.T, baseURL, token, method, pathAndQuery string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, baseURL+"/easemob/org/app"+pathAndQuery, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer struct {
		Error             string `json:"error"`
		ErrorDescription  string `json:"error_description"`
		RequestStatusCode string `json:"requestStatusCode"`
	}
	_ = json.Unmarshal(body, &answer)
	if answer.Error != "" {
		return resp.StatusCode, answer.Error + ": " + answer.ErrorDescription
	}
	return resp.StatusCode, answer.RequestStatusCode
}

func TestEasemobRawRequestChecks(t *testing.T) {
	emu := New(easemobFixture(), Options{DisableRateLimits: true})
	baseURL := startEmulator(t, emu)
	token := issuedToken(t, baseURL)
	fiftyOne := make([]string, 51)
	for i := range fiftyOne {
		fiftyOne[i] = fmt.Sprintf("m%d", i)
	}
	for _, tc := range []struct {
		name, token, method, path string
		status                    int
		answer                    string
	}{
		{"no token", "", http.MethodPost, "/rest/message/roaming/user/alice/delete/all", 401, "unauthorized: Unable to authenticate due to expired or corrupt access token"},
		{"51 IDs", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice?userId=bob&msgIdList=" + strings.Join(fiftyOne, ","), 400,
			"param exception: delete msg list limit can not greater than 50"},
		{"50 IDs", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice?userId=bob&msgIdList=" + strings.Join(fiftyOne[:50], ","), 200, "ok"},
		{"no msgIdList", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice?userId=bob", 400, "Bad Request: Bad Request"},
		{"no peer", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice?msgIdList=c1", 400, "Bad Request: Bad Request"},
		{"no groupId", token, http.MethodDelete, "/rest/message/roaming/group/user/alice/time?delTime=1", 400, "Bad Request: Bad Request"},
		{"bad delTime", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice/time?userId=bob&delTime=yesterday", 400, "Bad Request: Bad Request"},
		{"bad isNotify", token, http.MethodDelete, "/rest/message/roaming/chat/user/alice/time?userId=bob&delTime=1&isNotify=maybe", 400, "Bad Request: Bad Request"},
		{"wrong method", token, http.MethodGet, "/rest/message/roaming/user/alice/delete/all", 404, "service_resource_not_found: no such resource: GET /org/app/rest/message/roaming/user/alice/delete/all"},
		{"escaped user", token, http.MethodPost, "/rest/message/roaming/user/team%2Falice/delete/all", 200, "ok"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, answer := rawEasemobCall(t, baseURL, tc.token, tc.method, tc.path)
			if status != tc.status || answer != tc.answer {
				t.Errorf("got %d %q, want %d %q", status, answer, tc.status, tc.answer)
			}
		})
	}
	if n := emu.Snapshot().Easemob.MessageCount("alice"); n != 10 {
		t.Errorf("alice sees %d messages, want 10 (every call above deletes nothing that exists)", n)
	}
}

func TestEasemobRoamingDisabled(t *testing.T) {
	fixture := easemobFixture()
	off := false
	fixture.Easemob.RoamingEnabled = &off
	emu := New(fixture, Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	_, err := c.DeleteChatMessages(context.Background(), "alice", "bob", []string{"c1"}, true, nil)
	apiErr := apiError(err)
	if apiErr == nil || apiErr.HTTPStatus != 400 || apiErr.Code != "service open exception" ||
		apiErr.Message != "this appKey not open message roaming" || !strings.Contains(apiErr.Hint, "enable message roaming") {
		t.Fatalf("got %v", err)
	}
	if n := len(emu.Requests()); n != 2 {
		t.Errorf("want the token fetch and one refused call (no retries), got %d requests", n)
	}
}

// The 101st call within one instant is refused with 429, which the client would retry.
func TestEasemobRateLimit(t *testing.T) {
	frozen := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	emu := New(easemobFixture(), Options{Now: func() time.Time { return frozen }})
	baseURL := startEmulator(t, emu)
	token := issuedToken(t, baseURL)
	for i := range easemob.DefaultRequestsPerSecond {
		if status, _ := rawEasemobCall(t, baseURL, token, http.MethodPost, "/rest/message/roaming/user/erin/delete/all"); status != 200 {
			t.Fatalf("call %d refused with %d", i+1, status)
		}
	}
	status, answer := rawEasemobCall(t, baseURL, token, http.MethodPost, "/rest/message/roaming/user/erin/delete/all")
	if status != http.StatusTooManyRequests || !strings.HasPrefix(answer, "reach_limit") {
		t.Errorf("call 101: got %d %q, want 429 reach_limit", status, answer)
	}
}

// A 503 fault is retried by the client and the deletion still happens once.
func TestEasemobFaultRetried(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	if err := emu.AddFault(Fault{Kind: FaultStatus, Status: 503, PathPrefix: "/easemob/org/app/rest/", Count: 1}); err != nil {
		t.Fatal(err)
	}
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{settings: client.Settings{MinBackoff: time.Millisecond}})
	if _, err := c.DeleteGroupMessages(context.Background(), "carol", "g1", []string{"g1m2"}, true, nil); err != nil {
		t.Fatal(err)
	}
	wantView(t, "carol's view of g1", emu.Snapshot().Easemob.GroupView("carol", "g1"), "g1m1", "g1m3")
	statuses := []int{}
	for _, r := range emu.Requests() {
		statuses = append(statuses, r.Status)
	}
	if !slices.Equal(statuses, []int{200, 503, 200}) {
		t.Errorf("statuses = %v, want token 200, fault 503, retry 200", statuses)
	}
}

// The request log never shows the client secret sent to the token endpoint.
func TestEasemobRequestLogMasksSecret(t *testing.T) {
	emu := New(easemobFixture(), Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{})
	if err := c.ClearAll(context.Background(), "erin"); err != nil {
		t.Fatal(err)
	}
	log, _ := json.Marshal(emu.Requests())
	if strings.Contains(string(log), easemobTestSecret) {
		t.Errorf("request log shows the client secret: %s", log)
	}
}

func TestEasemobWithoutFixtureIsAnUnknownApp(t *testing.T) {
	emu := New(Fixture{}, Options{})
	err := easemobClient(t, startEmulator(t, emu), easemobClientConfig{}).ClearAll(context.Background(), "alice")
	if apiErr := apiError(err); apiErr == nil || apiErr.Code != "organization_application_not_found" {
		t.Errorf("got %v, want organization_application_not_found", err)
	}
	if emu.Snapshot().Easemob != nil {
		t.Error("no fixture part should mean no Easemob state")
	}
}

func TestDemoFixtureHasEasemob(t *testing.T) {
	f := DemoFixture()
	if f.Easemob == nil || f.Easemob.ClientID != "demo-client-id" || f.Easemob.OrgName != "demo-org" || len(f.Easemob.Messages) == 0 {
		t.Fatalf("demo fixture's Easemob part = %+v", f.Easemob)
	}
	emu := New(f, Options{})
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{
		org: "demo-org", app: "demo-app", clientID: "demo-client-id", secret: "demo-client-secret-not-real",
	})
	if err := c.ClearAll(context.Background(), "nobody"); err != nil {
		t.Fatalf("demo credentials refused: %v", err)
	}
}
