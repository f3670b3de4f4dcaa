package rongcloud

import (
	"context"
	"crypto/sha1" //nolint:gosec // checking the vendor-defined signature
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/jarcoal/httpmock"
)

const (
	testKey    = "app-key-1"
	testSecret = "app-secret-1"
	testBase   = "https://api.example/rc"
)

type recorded struct {
	header http.Header
	form   url.Values
}

// newTestClient returns a client whose clock and nonce are fixed, against a mock transport.
func newTestClient(t *testing.T, bases ...string) (*Client, *httpmock.MockTransport) {
	t.Helper()
	if len(bases) == 0 {
		bases = []string{testBase}
	}
	mock := httpmock.NewMockTransport()
	var urls []*url.URL
	for _, b := range bases {
		u, _ := url.Parse(b)
		urls = append(urls, u)
	}
	c, err := New(Config{
		AppKey: testKey, AppSecret: testSecret,
		Transport: client.Config{
			BaseURLs: urls, HTTPClient: &http.Client{Transport: mock},
			Sleep: func(context.Context, time.Duration) error { return nil },
		},
		Now:   func() time.Time { return time.UnixMilli(1585127132438) },
		Nonce: func() string { return "14314" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, mock
}

// recordingResponder answers with body at status and keeps what each request carried.
func recordingResponder(mu *sync.Mutex, calls *[]recorded, status int, body string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		mu.Lock()
		*calls = append(*calls, recorded{header: r.Header.Clone(), form: r.PostForm})
		mu.Unlock()
		return httpmock.NewStringResponse(status, body), nil
	}
}

func TestSignatureIsSHA1OfSecretNonceTimestamp(t *testing.T) {
	sum := sha1.Sum([]byte("secret" + "nonce" + "123")) //nolint:gosec
	if got, want := Signature("secret", "nonce", "123"), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

func TestDeleteExtensionsSendsExactForm(t *testing.T) {
	c, mock := newTestClient(t)
	var (
		mu    sync.Mutex
		calls []recorded
	)
	mock.RegisterResponder("POST", testBase+"/message/expansion/delete.json", recordingResponder(&mu, &calls, 200, `{"code":200}`))
	_, err := c.DeleteExtensions(context.Background(), ExtensionDelete{
		MessageUID: "BRGM-DEN2-01E4-BN66", UserID: "tjw3zbMrU", ConversationType: ConversationPrivate,
		TargetID: "WNYZbMqpH", ExtraKeys: []string{"11111"}, SyncSender: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("calls = %d", len(calls))
	}
	got := calls[0]
	wantForm := url.Values{"msgUID": {"BRGM-DEN2-01E4-BN66"}, "userId": {"tjw3zbMrU"}, "conversationType": {"1"},
		"targetId": {"WNYZbMqpH"}, "extraKey": {`["11111"]`}, "isSyncSender": {"1"}}
	if got.form.Encode() != wantForm.Encode() {
		t.Errorf("form = %s\nwant  %s", got.form.Encode(), wantForm.Encode())
	}
	h := got.header
	if h.Get("App-Key") != testKey || h.Get("Nonce") != "14314" || h.Get("Timestamp") != "1585127132438" {
		t.Errorf("auth headers = %v", h)
	}
	if h.Get("Signature") != Signature(testSecret, "14314", "1585127132438") {
		t.Errorf("Signature header = %s", h.Get("Signature"))
	}
	if len(h.Get("X-Request-ID")) != 36 || h.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("X-Request-ID %q, Content-Type %q", h.Get("X-Request-ID"), h.Get("Content-Type"))
	}
}

func TestDeleteExtensionsSplitsIntoHundreds(t *testing.T) {
	c, mock := newTestClient(t)
	var (
		mu    sync.Mutex
		calls []recorded
	)
	mock.RegisterResponder("POST", testBase+"/message/expansion/delete.json", recordingResponder(&mu, &calls, 200, `{"code":200}`))
	var keys []string
	for i := range 250 {
		keys = append(keys, fmt.Sprintf("key-%03d", i))
	}
	var lastProgress client.ChunkProgress
	var progressMu sync.Mutex
	done, err := c.DeleteExtensions(context.Background(), ExtensionDelete{
		MessageUID: "M", UserID: "u", ConversationType: ConversationGroup, TargetID: "g", ExtraKeys: keys,
	}, func(p client.ChunkProgress) {
		progressMu.Lock()
		if p.CallsDone > lastProgress.CallsDone {
			lastProgress = p
		}
		progressMu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var sent []string
	for _, call := range calls {
		var batch []string
		if err := json.Unmarshal([]byte(call.form.Get("extraKey")), &batch); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(batch))
		sent = append(sent, batch...)
		if call.form.Get("conversationType") != "3" {
			t.Errorf("conversationType = %s", call.form.Get("conversationType"))
		}
	}
	sort.Ints(sizes)
	if len(sizes) != 3 || sizes[0] != 50 || sizes[1] != 100 || sizes[2] != 100 {
		t.Errorf("batch sizes = %v, want 50,100,100", sizes)
	}
	sort.Strings(sent)
	sort.Strings(keys)
	if strings.Join(sent, ",") != strings.Join(keys, ",") {
		t.Error("the keys sent differ from the keys asked for")
	}
	if done.CallsDone != 3 || done.ItemsDone != 250 || lastProgress.ItemsDone != 250 {
		t.Errorf("progress = %+v, last update %+v", done, lastProgress)
	}
}

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		body       string
		wantCode   string
		wantCalls  int
		wantInHint string
	}{
		{"signature", 401, `{"code":1004,"errorMessage":"signature error"}`, "1004", 1, "app_secret"},
		{"parameter", 400, `{"code":1002,"errorMessage":"msgUID is invalid"}`, "1002", 1, "parameters"},
		{"not enabled", 430, `{"code":1009,"errorMessage":"service not enabled"}`, "1009", 1, "console"},
		{"rate limited", 429, `{"code":1008,"errorMessage":"too many requests"}`, "1008", retriedUntilBudget, "requests_per_second"},
		{"internal", 500, `{"code":1000,"errorMessage":"internal error"}`, "1000", retriedUntilBudget, "internal problem"},
		{"gateway", 502, `<html>bad gateway</html>`, "", retriedUntilBudget, "outage"},
		{"empty object", 200, `{}`, "", 1, "api_urls"},
		{"null", 200, `null`, "", 1, "api_urls"},
		{"foreign JSON", 200, `{"status":"accepted"}`, "", 1, "api_urls"},
		{"code zero", 200, `{"code":0}`, "", 1, "api_urls"},
		{"captive portal", 200, `<html>sign in</html>`, "", 1, "api_urls"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mock := newTestClient(t)
			mock.RegisterResponder("POST", testBase+"/message/expansion/delete.json", httpmock.NewStringResponder(tc.status, tc.body))
			_, err := c.DeleteExtensions(context.Background(), ExtensionDelete{MessageUID: "M", UserID: "u",
				ConversationType: ConversationPrivate, TargetID: "t", ExtraKeys: []string{"k"}}, nil)
			var apiErr *client.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *client.APIError", err)
			}
			if apiErr.Code != tc.wantCode || apiErr.HTTPStatus != tc.status || apiErr.Vendor != Vendor {
				t.Errorf("APIError = %+v", apiErr)
			}
			if !strings.Contains(apiErr.Hint, tc.wantInHint) || apiErr.RequestID == "" {
				t.Errorf("hint %q lacks %q, or no request ID (%q)", apiErr.Hint, tc.wantInHint, apiErr.RequestID)
			}
			if n := mock.GetTotalCallCount(); (tc.wantCalls == retriedUntilBudget && n <= 5) || (tc.wantCalls != retriedUntilBudget && n != tc.wantCalls) {
				t.Errorf("calls = %d, want %d (-1: retried until retry_timeout ran out)", n, tc.wantCalls)
			}
		})
	}
}

func TestRecallBroadcastForm(t *testing.T) {
	c, mock := newTestClient(t)
	var (
		mu    sync.Mutex
		calls []recorded
	)
	mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", recordingResponder(&mu, &calls, 200, `{"code":200}`))
	err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "fDR2", MessageUID: "5FGT-7VA9", SentTime: 1507778882124, IsDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"fromUserId": {"fDR2"}, "messageUID": {"5FGT-7VA9"}, "sentTime": {"1507778882124"},
		"isAdmin": {"0"}, "isDelete": {"1"}, "disableUpdateLastMsg": {"false"}}
	if calls[0].form.Encode() != want.Encode() {
		t.Errorf("form = %s\nwant  %s", calls[0].form.Encode(), want.Encode())
	}
}

// retriedUntilBudget stands for "sent again and again until the retry budget ran out".
const retriedUntilBudget = -1

// The recall quota is 2 per hour: a server error or a timeout must not be resent blindly.
func TestRecallBroadcastIsNotRetriedAfterReachingServer(t *testing.T) {
	for _, status := range []int{500, 503} {
		c, mock := newTestClient(t)
		mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", httpmock.NewStringResponder(status, `{"code":1000,"errorMessage":"x"}`))
		if err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "u", MessageUID: "m"}); err == nil {
			t.Fatalf("status %d: want error", status)
		}
		if n := mock.GetTotalCallCount(); n != 1 {
			t.Errorf("status %d: calls = %d, want 1", status, n)
		}
	}
}

// A timeout after sending leaves the recall's outcome unknown: it is not resent.
func TestRecallBroadcastIsNotRetriedAfterTimeout(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", httpmock.NewErrorResponder(context.DeadlineExceeded))
	err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "u", MessageUID: "m"})
	if err == nil || !client.OutcomeUnknown(err) {
		t.Fatalf("err = %v, want a failure whose outcome is unknown", err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("calls = %d, want 1", n)
	}
}

// A rate-limit refusal (HTTP 429, code 1008) says RongCloud did nothing, so sending the recall
// again cannot recall twice: it is retried like any other call.
func TestRecallBroadcastRetriedAfterRateLimitRefusal(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", httpmock.ResponderFromMultipleResponses([]*http.Response{
		httpmock.NewStringResponse(429, `{"code":1008,"errorMessage":"too many requests"}`),
		httpmock.NewStringResponse(200, `{"code":200}`),
	}))
	if err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "u", MessageUID: "m"}); err != nil {
		t.Fatalf("err = %v, want success on the second attempt", err)
	}
	if n := mock.GetTotalCallCount(); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}

func TestRecallBroadcastQuotaHint(t *testing.T) {
	c, mock := newTestClient(t)
	mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", httpmock.NewStringResponder(429, `{"code":1008,"errorMessage":"too many"}`))
	err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "u", MessageUID: "m"})
	if err == nil || !strings.Contains(err.Error(), "2 calls per hour and 3 per calendar day") {
		t.Errorf("err = %v, want the recall quota hint", err)
	}
}

func TestRecallBroadcastResentWhenConnectionRefused(t *testing.T) {
	c, mock := newTestClient(t, "https://primary.example", "https://backup.example")
	mock.RegisterResponder("POST", "https://primary.example/message/broadcast/recall.json",
		httpmock.NewErrorResponder(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}))
	mock.RegisterResponder("POST", "https://backup.example/message/broadcast/recall.json", httpmock.NewStringResponder(200, `{"code":200}`))
	if err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: "u", MessageUID: "m"}); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}

func TestRegionURLs(t *testing.T) {
	urls, err := RegionURLs("north_america")
	if err != nil || len(urls) != 2 || urls[0] != "https://api.us-light-api.com" || urls[1] != "https://api-b.us-light-api.com" {
		t.Errorf("RegionURLs = %v, %v", urls, err)
	}
	if _, err := RegionURLs("mars"); err == nil || !strings.Contains(err.Error(), "beijing") {
		t.Errorf("unknown region error = %v", err)
	}
	if len(Regions()) != 5 {
		t.Errorf("Regions = %v", Regions())
	}
}

// Inputs nobody can mean are refused before anything is sent, for callers that bypass plan:
// an overlong ID or key names nothing, and a recall of a broadcast "sent" in the future (or
// in seconds rather than milliseconds) spends one of two recalls an hour on a refusal. The
// errors name the field, never its value.
func TestRefusesInputsNobodyCanMean(t *testing.T) {
	c, mock := newTestClient(t) // its clock reads 2020-03-25T09:05:32Z
	now := time.UnixMilli(1585127132438)
	long := strings.Repeat("x", MaxIDLength+1)
	ok := ExtensionDelete{MessageUID: "BRGM-DEN2-01E4-BN66", UserID: "u", ConversationType: ConversationGroup, TargetID: "g", ExtraKeys: []string{"k"}}
	for name, change := range map[string]func(*ExtensionDelete){
		"empty msgUID":     func(r *ExtensionDelete) { r.MessageUID = "" },
		"long msgUID":      func(r *ExtensionDelete) { r.MessageUID = long },
		"long userId":      func(r *ExtensionDelete) { r.UserID = long },
		"long targetId":    func(r *ExtensionDelete) { r.TargetID = long },
		"conversationType": func(r *ExtensionDelete) { r.ConversationType = 6 },
		"empty key":        func(r *ExtensionDelete) { r.ExtraKeys = []string{"k", ""} },
		"33-character key": func(r *ExtensionDelete) { r.ExtraKeys = []string{strings.Repeat("k", MaxExtensionKeyLength+1)} },
	} {
		req := ok
		change(&req)
		_, err := c.DeleteExtensions(context.Background(), req, nil)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), long) || strings.Contains(err.Error(), strings.Repeat("k", 33)) {
			t.Errorf("%s: the error repeats the value: %v", name, err)
		}
	}
	for name, req := range map[string]BroadcastRecall{
		"empty fromUserId":        {MessageUID: "m"},
		"long messageUID":         {FromUserID: "u", MessageUID: long},
		"sent in the year 2100":   {FromUserID: "u", MessageUID: "m", SentTime: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()},
		"sent 6 minutes from now": {FromUserID: "u", MessageUID: "m", SentTime: now.Add(6 * time.Minute).UnixMilli()},
		"sent time in seconds":    {FromUserID: "u", MessageUID: "m", SentTime: now.Unix()},
		"negative sent time":      {FromUserID: "u", MessageUID: "m", SentTime: -1},
	} {
		if err := c.RecallBroadcast(context.Background(), req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := mock.GetTotalCallCount(); n != 0 {
		t.Errorf("%d requests were sent; want none", n)
	}
}

// Values at the limits go through: a 64-character ID, a 32-character key, and a sent time a
// few minutes ahead of this machine's clock (the vendor's may be ahead of ours).
func TestAcceptsInputsAtTheLimits(t *testing.T) {
	c, mock := newTestClient(t)
	now := time.UnixMilli(1585127132438)
	mock.RegisterResponder("POST", testBase+"/message/expansion/delete.json", httpmock.NewStringResponder(200, `{"code":200}`))
	mock.RegisterResponder("POST", testBase+"/message/broadcast/recall.json", httpmock.NewStringResponder(200, `{"code":200}`))
	id := strings.Repeat("i", MaxIDLength)
	if _, err := c.DeleteExtensions(context.Background(), ExtensionDelete{MessageUID: id, UserID: id, ConversationType: ConversationPrivate,
		TargetID: id, ExtraKeys: []string{strings.Repeat("k", MaxExtensionKeyLength)}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.RecallBroadcast(context.Background(), BroadcastRecall{FromUserID: id, MessageUID: id,
		SentTime: now.Add(SentTimeClockSkew - time.Second).UnixMilli()}); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
}
