package emulator

import (
	"fmt"
	"strings"
	"testing"
)

// The report lists what stayed, conversation by conversation, and leaves the token counter
// out of the changes: it is the emulator's bookkeeping, not data the run touched.
func TestFormatDiffListsWhatWasKept(t *testing.T) {
	before := New(DemoFixture(), Options{}).Snapshot()
	after := New(DemoFixture(), Options{}).Snapshot()
	delete(after.RongCloud.Messages["C5AB-DEMO-0001-GRP1"].Extensions, "leaked_phone")
	bob := after.Easemob.Users["bob"]
	bob.Chats["alice"] = []string{"1235807318835202003", "1235807318835202004"}
	after.Easemob.TokensIssued = 1
	public := after.TencentIM.Groups["@TGS#demo-public"]
	public.Messages[1].Recalled = true

	text, err := FormatDiff(before, after, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Deleted or changed (4):\n",
		"  - deleted  rongcloud.messages.C5AB-DEMO-0001-GRP1.extensions.leaked_phone\n",
		"  - deleted  easemob.users.bob.chats.alice[1235807318835202001]\n",
		"  ~ changed  tencentim.groups.@TGS#demo-public.messages[seq=2].recalled: false -> true\n",
		"  rongcloud  message C5AB-DEMO-0001-GRP1 (group ops-room): extensions leaked_address, pinned, reaction\n",
		"  rongcloud  broadcast C5AB-DEMO-BCST-0001: not recalled\n",
		"  easemob    bob, chat with alice: 2 messages: 1235807318835202003, 1235807318835202004\n",
		"  easemob    alice, chat with bob: 4 messages: 1235807318835202001, 1235807318835202002, 1235807318835202003, 1235807318835202004\n",
		"  tencentim  group @TGS#demo-public: 7 messages: seq 1, 3-8\n",
		"  easemob    alice, chat with carol: 1 message: 1235807318835202005\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "tokens_issued") || strings.Contains(text, "Vendor requests") {
		t.Errorf("report shows bookkeeping or a request log it was not given:\n%s", text)
	}
	if !strings.HasSuffix(text, "4 changed; kept: 5 extension keys, 2 broadcasts, 23 Easemob messages (per user view), 8 Tencent messages\n") {
		t.Errorf("summary line:\n%s", text)
	}
}

func TestDiffIgnoresTheTokenCounter(t *testing.T) {
	before := New(easemobFixture(), Options{}).Snapshot()
	after := New(easemobFixture(), Options{}).Snapshot()
	after.Easemob.TokensIssued = 3
	changes, _, err := Diff(before, after)
	if err != nil || len(changes) != 0 {
		t.Errorf("changes = %+v, %v; want none", changes, err)
	}
}

func TestKeptListsAreCapped(t *testing.T) {
	var ids []string
	for i := range 12 {
		ids = append(ids, fmt.Sprint("m", i))
	}
	if got, want := listSome(ids), "m0, m1, m2, m3, m4, m5, m6, m7, m8, m9 and 2 more"; got != want {
		t.Errorf("listSome = %q, want %q", got, want)
	}
	if got := seqRanges([]uint64{9, 1, 2, 3, 5, 7, 8}); got != "1-3, 5, 7-9" {
		t.Errorf("seqRanges = %q", got)
	}
}

func TestFormatRequestsFlagsRequestsThatMatchedNothing(t *testing.T) {
	two, zero := 2, 0
	text := FormatRequests([]RequestRecord{
		{Vendor: "easemob", Base: "/easemob", Method: "POST", Path: "/org/app/token", Status: 200},
		{Vendor: "easemob", Base: "/easemob", Method: "DELETE", Path: "/org/app/rest/message/roaming/chat/user/bob", Status: 200, Matched: &two},
		{Vendor: "tencentim", Base: "/tencentim", Method: "POST", Path: "/v4/group_open_http_svc/delete_group_msg_by_sender", Status: 200, Matched: &zero, MatchedNothing: true},
	})
	for _, want := range []string{
		"Vendor requests (3):\n",
		"  easemob    200  POST /easemob/org/app/token\n",
		"  easemob    200  DELETE /easemob/org/app/rest/message/roaming/chat/user/bob  matched 2\n",
		"  tencentim  200  POST /tencentim/v4/group_open_http_svc/delete_group_msg_by_sender  matched 0  <- matched nothing\n",
		"  ! 1 request matched nothing in the store",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("request report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(FormatRequests(nil), "!") {
		t.Error("an empty log warns")
	}
}
