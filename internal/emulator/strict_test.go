package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

// allVendorsFixture joins the three vendors' test fixtures.
func allVendorsFixture() Fixture {
	return Fixture{RongCloud: rongcloudFixture().RongCloud, Easemob: easemobFixture().Easemob, TencentIM: tencentFixture().TencentIM}
}

// vendorClients are the real clients against one emulator, without retries, so each call is
// one logged request (plus Easemob's one token request).
type vendorClients struct {
	rongcloud *rongcloud.Client
	easemob   *easemob.Client
	tencentim *tencentim.Client
}

func newVendorClients(t *testing.T, base string) vendorClients {
	return vendorClients{
		rongcloud: rongcloudClient(t, base, "s3cret", client.Settings{NoRetries: true}),
		easemob:   easemobClient(t, base, easemobClientConfig{settings: client.Settings{NoRetries: true}}),
		tencentim: tencentClient(t, base, tencentClientConfig{}),
	}
}

// One call per operation, by name, so the tables below read as what they do.
func (c vendorClients) keys(uid, user, target string, keys ...string) error {
	return deleteKeys(c.rongcloud, uid, rongcloud.ConversationGroup, user, target, keys...)
}

func (c vendorClients) broadcast(uid string) error {
	return c.rongcloud.RecallBroadcast(context.Background(), rongcloud.BroadcastRecall{FromUserID: "sys", MessageUID: uid})
}

func (c vendorClients) chatByID(user, peer string, ids ...string) error {
	_, err := c.easemob.DeleteChatMessages(context.Background(), user, peer, ids, true, nil)
	return err
}

func (c vendorClients) groupByID(user, group string, ids ...string) error {
	_, err := c.easemob.DeleteGroupMessages(context.Background(), user, group, ids, true, nil)
	return err
}

func (c vendorClients) chatBefore(user, peer string, before time.Time) error {
	return c.easemob.ClearChatBefore(context.Background(), user, peer, before, true)
}

func (c vendorClients) groupBefore(user, group string, before time.Time) error {
	return c.easemob.ClearGroupBefore(context.Background(), user, group, before, true)
}

func (c vendorClients) all(user string) error {
	return c.easemob.ClearAll(context.Background(), user)
}

func (c vendorClients) bySender(group, sender string) error {
	return recall(c.tencentim, group, sender, "")
}

// Each vendor request that acts on the store is logged with how many stored items it
// matched, and one that matched nothing is flagged, whether the vendor refused it or, as
// Easemob and Tencent do for unknown IDs, answered ok.
func TestRequestLogCountsWhatEachRequestMatched(t *testing.T) {
	emu := New(allVendorsFixture(), Options{})
	base := startEmulator(t, emu)
	c := newVendorClients(t, base)
	cut := time.UnixMilli(t0 + 60_000)
	for _, step := range []struct {
		name    string
		err     error
		matched int
		status  int
	}{
		{"one of two keys set", c.keys("G1", "alice", "room", "a", "missing"), 1, http.StatusOK},
		{"no key set", c.keys("G1", "alice", "room", "missing"), 0, http.StatusOK},
		{"unknown message", c.keys("NOPE", "alice", "room", "a"), 0, http.StatusBadRequest},
		{"broadcast", c.broadcast("B1"), 1, http.StatusOK},
		{"broadcast already recalled", c.broadcast("B1"), 0, http.StatusOK},
		{"two of four IDs in the chat", c.chatByID("alice", "bob", "c1", "c4", "d1", "no-such-id"), 2, http.StatusOK},
		{"an ID already deleted", c.chatByID("alice", "bob", "c1"), 0, http.StatusOK},
		{"group by ID", c.groupByID("bob", "g1", "g1m1"), 1, http.StatusOK},
		{"chat before, one left before the cut", c.chatBefore("alice", "bob", cut), 1, http.StatusOK},
		{"chat room before", c.groupBefore("dave", "r1", cut), 2, http.StatusOK},
		{"everything of carol", c.all("carol"), 4, http.StatusOK},
		{"everything of a stranger", c.all("nobody"), 0, http.StatusOK},
		{"spammer's messages", c.bySender(tencentPublic, "spammer"), 2, http.StatusOK},
		{"spammer's messages again", c.bySender(tencentPublic, "spammer"), 0, http.StatusOK},
		{"audio-video group", c.bySender(tencentLive, "spammer"), 0, http.StatusOK},
	} {
		wantErr := step.status != http.StatusOK
		if (step.err != nil) != wantErr {
			t.Errorf("%s: error %v, want error: %v", step.name, step.err, wantErr)
		}
	}

	var logged []RequestRecord
	for _, r := range emu.Requests() {
		if strings.HasSuffix(r.Path, "/token") {
			if r.Matched != nil || r.MatchedNothing {
				t.Errorf("a token request acts on no stored data, yet logs matched %v", *r.Matched)
			}
			continue
		}
		logged = append(logged, r)
	}
	want := []struct {
		matched int
		status  int
	}{{1, 200}, {0, 200}, {0, 400}, {1, 200}, {0, 200}, {2, 200}, {0, 200}, {1, 200}, {1, 200}, {2, 200}, {4, 200}, {0, 200}, {2, 200}, {0, 200}, {0, 200}}
	if len(logged) != len(want) {
		t.Fatalf("logged %d vendor requests besides tokens, want %d: %+v", len(logged), len(want), logged)
	}
	for i, w := range want {
		r := logged[i]
		if r.Matched == nil || *r.Matched != w.matched || r.Status != w.status || r.MatchedNothing != (w.matched == 0) {
			t.Errorf("request %d (%s %s): status %d, matched %v, flagged %v; want status %d, matched %d, flagged %v",
				i, r.Method, r.Path, r.Status, derefMatched(r.Matched), r.MatchedNothing, w.status, w.matched, w.matched == 0)
		}
	}

	// The admin API carries the same fields.
	if raw := adminRequests(t, base); raw[0]["matched"] != 1.0 || raw[0]["matched_nothing"] != nil || raw[1]["matched"] != 0.0 || raw[1]["matched_nothing"] != true {
		t.Errorf("/_admin/requests: first two entries %v and %v", raw[0], raw[1])
	}
}

func derefMatched(m *int) any {
	if m == nil {
		return nil
	}
	return *m
}

// snapshotJSON renders the store without the token counter, so a comparison sees only data.
func snapshotJSON(t *testing.T, emu *Emulator) string {
	t.Helper()
	s := emu.Snapshot()
	if s.Easemob != nil {
		s.Easemob.TokensIssued = 0
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// In strict mode a request naming anything the store does not hold is refused in the vendor's
// own error shape and changes nothing, not even the part of it the store does hold.
func TestStrictRefusesWhatTheStoreDoesNotHold(t *testing.T) {
	emu := New(allVendorsFixture(), Options{Strict: true})
	c := newVendorClients(t, startEmulator(t, emu))
	initial := snapshotJSON(t, emu)
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		// everyMode marks refusals the vendor itself makes, with its own message.
		everyMode bool
	}{
		{"a key the message lacks", c.keys("G1", "alice", "room", "a", "missing"), 400, "1002", false},
		{"unknown message", c.keys("NOPE", "alice", "room", "a"), 400, "1002", true},
		{"unknown broadcast", c.broadcast("B9"), 400, "1002", true},
		{"a message ID not in the chat", c.chatByID("alice", "bob", "c1", "d1"), 404, "resource_not_found", false},
		{"unknown peer", c.chatByID("alice", "zed", "c1"), 404, "service_resource_not_found", false},
		{"unknown owner", c.chatByID("zed", "bob", "c1"), 404, "service_resource_not_found", false},
		{"not a member of the group", c.groupByID("erin", "g1", "g1m1"), 404, "resource_not_found", false},
		{"unknown group", c.groupBefore("alice", "g9", time.UnixMilli(t0)), 404, "resource_not_found", false},
		{"nothing before the cut", c.chatBefore("alice", "bob", time.UnixMilli(t0-1)), 404, "resource_not_found", false},
		{"clear an unknown user", c.all("zed"), 404, "service_resource_not_found", false},
		{"clear a user with no messages", c.all("erin"), 404, "resource_not_found", false},
		{"a sender with no messages", c.bySender(tencentPublic, "nobody"), 200, "10004", false},
		{"an audio-video group", c.bySender(tencentLive, "spammer"), 200, "10004", false},
	} {
		apiErr := apiError(tc.err)
		switch {
		case apiErr == nil:
			t.Errorf("%s: got %v, want a vendor refusal", tc.name, tc.err)
		case apiErr.HTTPStatus != tc.status || apiErr.Code != tc.code || tc.everyMode == strings.Contains(apiErr.Message, "imops-emulator -strict"):
			t.Errorf("%s: HTTP %d, code %q, message %q; want HTTP %d, code %q, strict mode named: %v",
				tc.name, apiErr.HTTPStatus, apiErr.Code, apiErr.Message, tc.status, tc.code, !tc.everyMode)
		case apiErr.Retryable:
			t.Errorf("%s: a strict refusal must not be retried", tc.name)
		}
	}
	if after := snapshotJSON(t, emu); after != initial {
		t.Errorf("refused requests changed the store:\nbefore %s\nafter  %s", initial, after)
	}

	// What the store does hold goes through as usual.
	for name, err := range map[string]error{
		"keys":       c.keys("G1", "alice", "room", "a", "b"),
		"broadcast":  c.broadcast("B1"),
		"chat by ID": c.chatByID("alice", "bob", "c1", "c4"),
		"by sender":  c.bySender(tencentPublic, "spammer"),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	s := emu.Snapshot()
	if len(s.RongCloud.Messages["G1"].Extensions) != 0 || !s.RongCloud.Broadcasts["B1"].Recalled {
		t.Errorf("held RongCloud data not changed: %+v", s.RongCloud)
	}
	wantView(t, "alice's chat with bob", s.Easemob.ChatView("alice", "bob"), "c2", "c3")
	if got := s.TencentIM.Recalled(tencentPublic); len(got) != 2 {
		t.Errorf("recalled seqs = %v, want the spammer's two", got)
	}
}
