package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

const (
	tencentAppID     uint64 = 1400000001
	tencentKey              = "emulator-test-secret-key"
	tencentAdmin            = "administrator"
	tencentPublic           = "@TGS#public"
	tencentCommunity        = "@TGS#_community"
	tencentTopicNews        = "@TGS#_community@TOPIC#_news"
	tencentTopicChat        = "@TGS#_community@TOPIC#_chat"
	tencentLive             = "@TGS#live"
)

func tencentFixture() Fixture {
	return Fixture{TencentIM: &TencentIMFixture{
		SDKAppID: tencentAppID, SecretKey: tencentKey, Admins: []string{tencentAdmin},
		Groups: []TencentIMGroup{
			{GroupID: tencentPublic, Type: "Public", Messages: []TencentIMMessage{
				{Seq: 3, Sender: "spammer", Text: "buy now"},
				{Seq: 1, Sender: "alice", Text: "hello"},
				{Seq: 2, Sender: "spammer", Text: "cheap"},
				{Seq: 4, Sender: "bob", Text: "stop it"},
			}},
			{GroupID: tencentCommunity, Type: "Community", Topics: []string{tencentTopicNews, tencentTopicChat}, Messages: []TencentIMMessage{
				{Seq: 1, Sender: "spammer"},
				{Seq: 1, Sender: "spammer", TopicID: tencentTopicNews},
				{Seq: 2, Sender: "alice", TopicID: tencentTopicNews},
				{Seq: 1, Sender: "spammer", TopicID: tencentTopicChat},
			}},
			{GroupID: tencentLive, Type: "AVChatRoom", Messages: []TencentIMMessage{{Seq: 1, Sender: "spammer"}}},
		},
	}}
}

type tencentClientConfig struct {
	appID      uint64
	key        string
	identifier string
	userSig    string
	bases      []string
}

// tencentClient returns the real client against the emulator at baseURL, by default with
// the fixture's own credentials.
func tencentClient(t *testing.T, baseURL string, cfg tencentClientConfig) *tencentim.Client {
	t.Helper()
	if cfg.appID == 0 {
		cfg.appID = tencentAppID
	}
	if cfg.key == "" && cfg.userSig == "" {
		cfg.key = tencentKey
	}
	if cfg.identifier == "" {
		cfg.identifier = tencentAdmin
	}
	if len(cfg.bases) == 0 {
		cfg.bases = []string{"/tencentim"}
	}
	var urls []*url.URL
	for _, prefix := range cfg.bases {
		u, err := url.Parse(baseURL + prefix)
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, u)
	}
	c, err := tencentim.New(tencentim.Config{
		SDKAppID: cfg.appID, Identifier: cfg.identifier, SecretKey: cfg.key, UserSig: cfg.userSig,
		Transport: client.Config{BaseURLs: urls, Settings: client.Settings{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func recall(c *tencentim.Client, groupID, sender, topicID string) error {
	return c.DeleteGroupMessagesBySender(context.Background(), groupID, sender, topicID)
}

func TestTencentIMRecallsOnlyTheSendersMessages(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})

	if err := recall(c, tencentPublic, "spammer", ""); err != nil {
		t.Fatal(err)
	}
	state := emu.Snapshot().TencentIM
	if got := state.Recalled(tencentPublic); !slices.Equal(got, []uint64{2, 3}) {
		t.Errorf("recalled seqs = %v, want [2 3]", got)
	}
	var order []uint64
	for _, m := range state.Groups[tencentPublic].Messages {
		order = append(order, m.Seq)
	}
	if !slices.Equal(order, []uint64{1, 2, 3, 4}) {
		t.Errorf("messages are not kept in seq order: %v", order)
	}
	if got := state.Recalled(tencentCommunity); len(got) != 0 {
		t.Errorf("another group changed: %v", got)
	}
	reqs := emu.Requests()
	if len(reqs) != 1 || reqs[0].Body != `{"GroupId":"@TGS#public","Sender_Account":"spammer"}` || !strings.Contains(reqs[0].Query, "usersig=%2A%2A%2A") {
		t.Errorf("request log = %+v", reqs)
	}
}

// Only the last 1,000 messages are in reach: of 1,200, the oldest 200 stay whoever sent them.
func TestTencentIMRecallReachesOnlyTheLast1000(t *testing.T) {
	fixture := tencentFixture()
	var messages []TencentIMMessage
	for seq := uint64(1); seq <= 1200; seq++ {
		sender := "alice"
		if seq%2 == 1 {
			sender = "spammer"
		}
		messages = append(messages, TencentIMMessage{Seq: seq, Sender: sender})
	}
	// The fixture's order must not matter: the window is by seq.
	rand.Shuffle(len(messages), func(i, j int) { messages[i], messages[j] = messages[j], messages[i] })
	fixture.TencentIM.Groups[0].Messages = messages
	emu := New(fixture, Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})

	if err := recall(c, tencentPublic, "spammer", ""); err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for seq := uint64(201); seq <= 1200; seq += 2 {
		want = append(want, seq)
	}
	if got := emu.Snapshot().TencentIM.Recalled(tencentPublic); !slices.Equal(got, want) {
		t.Errorf("recalled %d messages from seq %v to %v; want the %d odd seqs from 201 to 1199", len(got), got[0], got[len(got)-1], len(want))
	}
}

func TestTencentIMRecallInOneTopic(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})

	if err := recall(c, tencentCommunity, "spammer", tencentTopicNews); err != nil {
		t.Fatal(err)
	}
	for _, m := range emu.Snapshot().TencentIM.Groups[tencentCommunity].Messages {
		if want := m.TopicID == tencentTopicNews && m.Sender == "spammer"; m.Recalled != want {
			t.Errorf("message %+v: recalled = %v, want %v", m, m.Recalled, want)
		}
	}
	if err := recall(c, tencentCommunity, "spammer", "@TGS#_community@TOPIC#_nope"); apiCode(err) != "10004" {
		t.Errorf("unknown topic: want code 10004, got %v", err)
	}
	if err := recall(c, tencentPublic, "spammer", tencentTopicNews); apiCode(err) != "10004" {
		t.Errorf("topic of a group without topics: want code 10004, got %v", err)
	}
}

func TestTencentIMAVChatRoomIsUnchangedAndOK(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})
	before := emu.Snapshot().TencentIM.Groups[tencentLive]

	if err := recall(c, tencentLive, "spammer", ""); err != nil {
		t.Fatalf("AVChatRoom: want OK, got %v", err)
	}
	if after := emu.Snapshot().TencentIM.Groups[tencentLive]; fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("AVChatRoom changed: %+v -> %+v", before, after)
	}
}

func TestTencentIMUnknownGroup(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})

	err := recall(c, "@TGS#gone", "spammer", "")
	if apiCode(err) != "10010" || !strings.Contains(err.Error(), "check group_id") {
		t.Fatalf("want code 10010 with a hint, got %v", err)
	}
	if n := len(emu.Requests()); n != 1 {
		t.Errorf("a missing group is permanent; want 1 request, got %d", n)
	}
}

// Each credential mistake is refused with the code Tencent gives it, and nothing changes.
func TestTencentIMRefusesBadCredentials(t *testing.T) {
	now := time.Now()
	userSigFor := func(appID uint64, identifier string) string {
		sig, err := tencentim.GenerateUserSig(appID, tencentKey, identifier, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
	for _, tc := range []struct {
		name     string
		cfg      tencentClientConfig
		emuNow   time.Time
		wantCode string
		wantReqs int
	}{
		{"wrong key", tencentClientConfig{key: "not-the-key"}, time.Time{}, "70009", 1},
		{"not an admin", tencentClientConfig{identifier: "alice"}, time.Time{}, "60010", 1},
		{"wrong SDKAppID", tencentClientConfig{appID: 1400009999}, time.Time{}, "60006", 1},
		{"UserSig for someone else", tencentClientConfig{userSig: userSigFor(tencentAppID, "alice")}, time.Time{}, "70013", 1},
		{"UserSig for another app", tencentClientConfig{userSig: userSigFor(1400009999, tencentAdmin)}, time.Time{}, "70014", 1},
		{"UserSig not a ticket", tencentClientConfig{userSig: "bm90LWEtdGlja2V0"}, time.Time{}, "70003", 1},
		// The emulator's clock is two days ahead, so even a regenerated UserSig is expired:
		// the client tries exactly one regeneration.
		{"expired", tencentClientConfig{}, now.Add(48 * time.Hour), "70001", 2},
		{"given UserSig expired", tencentClientConfig{userSig: userSigFor(tencentAppID, tencentAdmin)}, now.Add(2 * time.Hour), "70001", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{}
			if !tc.emuNow.IsZero() {
				opts.Now = func() time.Time { return tc.emuNow }
			}
			emu := New(tencentFixture(), opts)
			c := tencentClient(t, startEmulator(t, emu), tc.cfg)

			err := recall(c, tencentPublic, "spammer", "")
			if apiCode(err) != tc.wantCode {
				t.Fatalf("want code %s, got %v", tc.wantCode, err)
			}
			if got := emu.Snapshot().TencentIM.Recalled(tencentPublic); len(got) != 0 {
				t.Errorf("messages recalled despite the refusal: %v", got)
			}
			if n := len(emu.Requests()); n != tc.wantReqs {
				t.Errorf("emulator saw %d requests, want %d", n, tc.wantReqs)
			}
		})
	}
}

// rawTencentCall posts body with the given query changes applied to a valid query, and
// returns the HTTP status and the decoded answer.
func rawTencentCall(t *testing.T, baseURL, method, path, body string, change func(url.Values)) (int, tencentAnswer) {
	t.Helper()
	userSig, err := tencentim.GenerateUserSig(tencentAppID, tencentKey, tencentAdmin, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{
		"sdkappid": {strconv.FormatUint(tencentAppID, 10)}, "identifier": {tencentAdmin}, "usersig": {userSig},
		"random": {"4294967295"}, "contenttype": {"json"},
	}
	if change != nil {
		change(q)
	}
	req, err := http.NewRequest(method, baseURL+"/tencentim"+path+"?"+q.Encode(), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var a tencentAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("answer %q is not Tencent's JSON: %v", data, err)
	}
	return resp.StatusCode, a
}

func TestTencentIMRawRequestChecks(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	baseURL := startEmulator(t, emu)
	const recallPath = "/v4/group_open_http_svc/delete_group_msg_by_sender"
	valid := `{"GroupId":"@TGS#public","Sender_Account":"spammer"}`
	for _, tc := range []struct {
		name, method, path, body string
		change                   func(url.Values)
		wantCode                 int
	}{
		{"GET", http.MethodGet, recallPath, "", nil, 60002},
		{"no contenttype", http.MethodPost, recallPath, valid, func(q url.Values) { q.Del("contenttype") }, 60002},
		{"random too big", http.MethodPost, recallPath, valid, func(q url.Values) { q.Set("random", "4294967296") }, 60002},
		{"random missing", http.MethodPost, recallPath, valid, func(q url.Values) { q.Del("random") }, 60002},
		{"sdkappid not a number", http.MethodPost, recallPath, valid, func(q url.Values) { q.Set("sdkappid", "app") }, 60006},
		{"identifier missing", http.MethodPost, recallPath, valid, func(q url.Values) { q.Del("identifier") }, 60004},
		{"usersig missing", http.MethodPost, recallPath, valid, func(q url.Values) { q.Del("usersig") }, 60004},
		{"bad JSON", http.MethodPost, recallPath, `{"GroupId":`, nil, 60003},
		{"GroupId not a string", http.MethodPost, recallPath, `{"GroupId":1,"Sender_Account":"spammer"}`, nil, 60003},
		{"no Sender_Account", http.MethodPost, recallPath, `{"GroupId":"@TGS#public"}`, nil, 10004},
		{"empty GroupId", http.MethodPost, recallPath, `{"GroupId":"","Sender_Account":"spammer"}`, nil, 10004},
		{"empty TopicId", http.MethodPost, recallPath, `{"GroupId":"@TGS#_community","Sender_Account":"spammer","TopicId":""}`, nil, 10004},
		{"unknown command", http.MethodPost, "/v4/group_open_http_svc/destroy_everything", valid, nil, 10003},
	} {
		status, a := rawTencentCall(t, baseURL, tc.method, tc.path, tc.body, tc.change)
		if status != http.StatusOK || a.ActionStatus != "FAIL" || a.ErrorCode != tc.wantCode || a.ErrorInfo == "" {
			t.Errorf("%s: HTTP %d %+v, want HTTP 200 FAIL %d with an ErrorInfo", tc.name, status, a, tc.wantCode)
		}
	}
	if got := emu.Snapshot().TencentIM.Recalled(tencentPublic); len(got) != 0 {
		t.Errorf("refused requests changed the store: %v", got)
	}
	if status, a := rawTencentCall(t, baseURL, http.MethodPost, recallPath, valid, nil); status != http.StatusOK || a.ActionStatus != "OK" || a.ErrorCode != 0 {
		t.Errorf("valid request: HTTP %d %+v", status, a)
	}
}

// The 201st call within one second is refused with 60007, unless limits are switched off.
func TestTencentIMRateLimit(t *testing.T) {
	frozen := time.Now()
	for _, disabled := range []bool{false, true} {
		emu := New(tencentFixture(), Options{Now: func() time.Time { return frozen }, DisableRateLimits: disabled})
		baseURL := startEmulator(t, emu)
		var refused int
		for range tencentim.DefaultRequestsPerSecond + 1 {
			_, a := rawTencentCall(t, baseURL, http.MethodPost, "/v4/group_open_http_svc/delete_group_msg_by_sender",
				`{"GroupId":"@TGS#public","Sender_Account":"nobody"}`, nil)
			if a.ErrorCode == 60007 {
				refused++
			}
		}
		if want := map[bool]int{false: 1, true: 0}[disabled]; refused != want {
			t.Errorf("DisableRateLimits=%v: %d calls refused with 60007, want %d", disabled, refused, want)
		}
	}
}

// A connection reset on the primary is retried on the backup prefix, which shares the store.
func TestTencentIMFailoverToBackup(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	if err := emu.AddFault(Fault{Kind: FaultReset, PathPrefix: "/tencentim/", Count: 1}); err != nil {
		t.Fatal(err)
	}
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{bases: []string{"/tencentim", "/tencentim-backup"}})

	if err := recall(c, tencentPublic, "spammer", ""); err != nil {
		t.Fatal(err)
	}
	if got := emu.Snapshot().TencentIM.Recalled(tencentPublic); !slices.Equal(got, []uint64{2, 3}) {
		t.Errorf("recalled seqs after failover = %v, want [2 3]", got)
	}
}

func TestTencentIMSnapshotIsACopy(t *testing.T) {
	emu := New(tencentFixture(), Options{})
	snap := emu.Snapshot().TencentIM
	snap.Groups[tencentPublic].Messages[0].Recalled = true
	if got := emu.Snapshot().TencentIM.Recalled(tencentPublic); len(got) != 0 {
		t.Errorf("changing a snapshot changed the store: %v", got)
	}
}

func TestTencentIMWithoutFixtureIsAnUnknownApp(t *testing.T) {
	emu := New(Fixture{}, Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{})
	if err := recall(c, tencentPublic, "spammer", ""); apiCode(err) != "60006" {
		t.Errorf("want 60006, got %v", err)
	}
	if emu.Snapshot().TencentIM != nil {
		t.Error("snapshot has a Tencent part without a fixture")
	}
}

func TestDemoFixtureHasTencentIM(t *testing.T) {
	demo := DemoFixture().TencentIM
	if demo == nil || demo.SDKAppID == 0 || demo.SecretKey == "" || !slices.Contains(demo.Admins, "administrator") {
		t.Fatalf("demo fixture lacks a usable tencentim part: %+v", demo)
	}
	emu := New(DemoFixture(), Options{})
	c := tencentClient(t, startEmulator(t, emu), tencentClientConfig{appID: demo.SDKAppID, key: demo.SecretKey})
	if err := recall(c, "@TGS#demo-public", "spammer", ""); err != nil {
		t.Fatal(err)
	}
	if got := emu.Snapshot().TencentIM.Recalled("@TGS#demo-public"); len(got) == 0 {
		t.Error("the demo's spammer has no messages to recall")
	}
}

// A rate-limit fault answers in the vendor's own shape, and the request log shows the status the
// client really got: HTTP 200 for Tencent, whose refusals travel in the body.
func TestFaultRateLimitIsLoggedWithTheVendorsStatus(t *testing.T) {
	emu := New(Fixture{}, Options{})
	base := startEmulator(t, emu)
	if err := emu.AddFault(Fault{Kind: FaultRateLimit, Count: 1}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/tencentim/v4/group_open_http_svc/delete_group_msg_by_sender", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "60007") {
		t.Errorf("answer = %d %s, want HTTP 200 with 60007", resp.StatusCode, body)
	}
	if reqs := emu.Requests(); len(reqs) != 1 || reqs[0].Status != http.StatusOK {
		t.Errorf("request log = %+v, want one entry with status 200", reqs)
	}
}
