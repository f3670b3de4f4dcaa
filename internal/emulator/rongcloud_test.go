package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

func rongcloudFixture() Fixture {
	return Fixture{RongCloud: &RongCloudFixture{
		AppKey: "k", AppSecret: "s3cret",
		Messages: []RongCloudMessage{
			{MsgUID: "G1", FromUserID: "alice", ConversationType: "group", TargetID: "room", Extensions: map[string]string{"a": "1", "b": "2"}},
			{MsgUID: "P1", FromUserID: "bob", ConversationType: "private", TargetID: "carol", Extensions: map[string]string{"x": "1"}},
		},
		Broadcasts: []RongCloudBroadcast{{MessageUID: "B1", FromUserID: "sys", SentTime: 1000}},
	}}
}

// startEmulator serves emu on 127.0.0.1 for one test.
func startEmulator(t *testing.T, emu *Emulator) string {
	t.Helper()
	server := httptest.NewServer(emu.Handler())
	t.Cleanup(server.Close)
	return server.URL
}

func rongcloudClient(t *testing.T, baseURL, secret string, settings client.Settings) *rongcloud.Client {
	t.Helper()
	u, _ := url.Parse(baseURL + "/rongcloud")
	c, err := rongcloud.New(rongcloud.Config{AppKey: "k", AppSecret: secret, Transport: client.Config{BaseURLs: []*url.URL{u}, Settings: settings}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func deleteKeys(c *rongcloud.Client, uid string, kind rongcloud.ConversationType, user, target string, keys ...string) error {
	_, err := c.DeleteExtensions(context.Background(), rongcloud.ExtensionDelete{MessageUID: uid, UserID: user, ConversationType: kind, TargetID: target, ExtraKeys: keys}, nil)
	return err
}

func apiCode(err error) string {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code
	}
	return ""
}

func TestRongCloudDeletesOnlyTargetedKeys(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	c := rongcloudClient(t, startEmulator(t, emu), "s3cret", client.Settings{})
	if err := deleteKeys(c, "G1", rongcloud.ConversationGroup, "alice", "room", "a", "missing"); err != nil {
		t.Fatal(err)
	}
	if err := deleteKeys(c, "P1", rongcloud.ConversationPrivate, "carol", "bob", "x"); err != nil {
		t.Fatal(err)
	}
	s := emu.Snapshot().RongCloud
	if got := s.Messages["G1"].Extensions; len(got) != 1 || got["b"] != "2" {
		t.Errorf("G1 = %v", got)
	}
	if got := s.Messages["P1"].Extensions; len(got) != 0 {
		t.Errorf("P1 = %v", got)
	}
}

func TestRongCloudRefusals(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	base := startEmulator(t, emu)
	good := rongcloudClient(t, base, "s3cret", client.Settings{NoRetries: true})
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"wrong secret", deleteKeys(rongcloudClient(t, base, "wrong", client.Settings{}), "G1", rongcloud.ConversationGroup, "alice", "room", "a"), "1004"},
		{"wrong conversation type", deleteKeys(good, "G1", rongcloud.ConversationPrivate, "alice", "room", "a"), "1002"},
		{"wrong target", deleteKeys(good, "G1", rongcloud.ConversationGroup, "alice", "other", "a"), "1002"},
		{"stranger on a private message", deleteKeys(good, "P1", rongcloud.ConversationPrivate, "mallory", "bob", "x"), "1002"},
		{"unknown message", deleteKeys(good, "NOPE", rongcloud.ConversationGroup, "alice", "room", "a"), "1002"},
	}
	for _, tc := range cases {
		if got := apiCode(tc.err); got != tc.code {
			t.Errorf("%s: code %q (%v), want %s", tc.name, got, tc.err, tc.code)
		}
	}
	if got := emu.Snapshot().RongCloud.Messages["G1"].Extensions; len(got) != 2 {
		t.Errorf("a refused call changed the store: %v", got)
	}
}

// Raw requests check what a client library would never send.
func TestRongCloudRawRequestChecks(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	base := startEmulator(t, emu)
	post := func(headers map[string]string, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/rongcloud/message/expansion/delete.json", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(answer)
	}
	signed := func(nonce string) map[string]string {
		ts := "1700000000000"
		return map[string]string{"App-Key": "k", "Nonce": nonce, "Timestamp": ts, "Signature": rongcloud.Signature("s3cret", nonce, ts)}
	}
	var keys []string
	for i := range 101 {
		keys = append(keys, fmt.Sprintf("%q", fmt.Sprint(i)))
	}
	form := url.Values{"msgUID": {"G1"}, "userId": {"alice"}, "conversationType": {"3"}, "targetId": {"room"}}
	tooMany := form
	tooMany.Set("extraKey", "["+strings.Join(keys, ",")+"]")
	for _, tc := range []struct {
		name     string
		headers  map[string]string
		body     string
		status   int
		wantCode string
	}{
		{"no auth headers", nil, "a=1", 401, `"code": 1004`},
		{"nonce too long", signed("0123456789abcdefghij"), "a=1", 400, `"code": 1002`},
		{"no body", signed("n1"), "", 400, `"code": 1003`},
		{"over 100 keys", signed("n2"), tooMany.Encode(), 400, `"code": 1005`},
	} {
		status, body := post(tc.headers, tc.body)
		if status != tc.status || !strings.Contains(body, tc.wantCode) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, status, body, tc.status, tc.wantCode)
		}
	}
}

func TestRongCloudGroupRateLimit(t *testing.T) {
	now := time.Unix(1700000000, 0)
	emu := New(rongcloudFixture(), Options{Now: func() time.Time { return now }})
	c := rongcloudClient(t, startEmulator(t, emu), "s3cret", client.Settings{NoRetries: true, RequestsPerSecond: 10000})
	var limited int
	for range 25 {
		if apiCode(deleteKeys(c, "G1", rongcloud.ConversationGroup, "alice", "room", "zz")) == "1008" {
			limited++
		}
	}
	// The clock stands still: the bucket holds 20 group calls, so 5 of 25 are refused.
	if limited != 5 {
		t.Errorf("refused %d of 25 group calls in one instant, want 5", limited)
	}
	if err := deleteKeys(c, "P1", rongcloud.ConversationPrivate, "bob", "carol", "zz"); err != nil {
		t.Errorf("a private call must still pass under the group ceiling: %v", err)
	}
}

func TestRongCloudRecallQuota(t *testing.T) {
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	emu := New(rongcloudFixture(), Options{Now: func() time.Time { return now }})
	// The client retries a rate-limit refusal until its retry budget runs out; what is tested
	// here is the emulator's quota, so one attempt each.
	c := rongcloudClient(t, startEmulator(t, emu), "s3cret", client.Settings{NoRetries: true})
	recall := func() error {
		return c.RecallBroadcast(context.Background(), rongcloud.BroadcastRecall{FromUserID: "sys", MessageUID: "B1"})
	}
	for i := range 2 {
		if err := recall(); err != nil {
			t.Fatalf("recall %d: %v", i+1, err)
		}
	}
	if code := apiCode(recall()); code != "1008" {
		t.Errorf("third recall within the hour: code %q, want 1008", code)
	}
	now = now.Add(61 * time.Minute)
	if err := recall(); err != nil {
		t.Errorf("an hour later: %v", err)
	}
	now = now.Add(61 * time.Minute)
	if code := apiCode(recall()); code != "1008" {
		t.Errorf("fourth recall in one day: code %q, want 1008", code)
	}
	if !emu.Snapshot().RongCloud.Broadcasts["B1"].Recalled {
		t.Error("B1 not recalled")
	}
}

func TestFaults(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	base := startEmulator(t, emu)
	c := rongcloudClient(t, base, "s3cret", client.Settings{NoRetries: true})
	call := func() error { return deleteKeys(c, "G1", rongcloud.ConversationGroup, "alice", "room", "zz") }

	if err := emu.AddFault(Fault{Kind: FaultReset, PathPrefix: "/rongcloud/", Count: 1}); err != nil {
		t.Fatal(err)
	}
	var netErr *client.NetworkError
	if err := call(); !errors.As(err, &netErr) {
		t.Errorf("reset fault: %v, want a network error", err)
	}
	if err := call(); err != nil {
		t.Errorf("the one-shot fault must be spent: %v", err)
	}
	if err := emu.AddFault(Fault{Kind: FaultRateLimit, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if code := apiCode(call()); code != "1008" {
		t.Errorf("rate_limit fault: code %q, want RongCloud's 1008", code)
	}
	if err := emu.AddFault(Fault{Kind: FaultLatency, Latency: "150ms", Count: 1}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := call(); err != nil || time.Since(start) < 150*time.Millisecond {
		t.Errorf("latency fault: err %v after %v", err, time.Since(start))
	}
	if err := emu.AddFault(Fault{Kind: "flood"}); err == nil {
		t.Error("an unknown fault kind must be refused")
	}
	emu.ClearFaults()
	if err := emu.AddFault(Fault{Kind: FaultStatus, Status: 502, PathPrefix: "/easemob/"}); err != nil {
		t.Fatal(err)
	}
	if err := call(); err != nil {
		t.Errorf("a fault on another prefix must not touch RongCloud: %v", err)
	}
}

func TestAdminAPI(t *testing.T) {
	emu := New(Fixture{}, Options{})
	base := startEmulator(t, emu)
	fixture := `{"rongcloud":{"app_key":"k","app_secret":"s3cret","messages":[{"msg_uid":"M","from_user_id":"a","conversation_type":"group","target_id":"g","extensions":{"e":"1"}}]}}`
	req, _ := http.NewRequest(http.MethodPut, base+"/_admin/fixture", strings.NewReader(fixture))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT fixture: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(base+"/_admin/faults", "application/json", strings.NewReader(`{"kind":"status","status":503,"count":1}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST fault: %v %v", resp, err)
	}
	resp.Body.Close()
	c := rongcloudClient(t, base, "s3cret", client.Settings{MinBackoff: time.Millisecond})
	if err := deleteKeys(c, "M", rongcloud.ConversationGroup, "a", "g", "e"); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(base + "/_admin/state")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"msg_uid": "M"`) || strings.Contains(string(body), `"e": "1"`) {
		t.Errorf("state = %s", body)
	}
	reqs := emu.Requests()
	if len(reqs) != 2 || reqs[0].Status != 503 || reqs[1].Status != 200 {
		t.Errorf("request log = %+v", reqs)
	}
}
