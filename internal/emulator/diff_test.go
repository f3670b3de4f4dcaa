package emulator

import (
	"strings"
	"testing"
)

func TestDiffReportsDeletedChangedAndKept(t *testing.T) {
	before := New(rongcloudFixture(), Options{}).Snapshot()
	after := New(rongcloudFixture(), Options{}).Snapshot()
	delete(after.RongCloud.Messages["G1"].Extensions, "a")
	b := after.RongCloud.Broadcasts["B1"]
	b.Recalled = true
	after.RongCloud.Broadcasts["B1"] = b

	changes, unchanged, err := Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	text := FormatChanges(changes, unchanged)
	for _, want := range []string{
		"- deleted  rongcloud.messages.G1.extensions.a",
		"~ changed  rongcloud.broadcasts.B1.recalled: false -> true",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("diff lacks %q:\n%s", want, text)
		}
	}
	if len(changes) != 2 || strings.Contains(text, "extensions.b") {
		t.Errorf("diff reports more than what changed:\n%s", text)
	}
	if unchanged == 0 {
		t.Error("kept values not counted")
	}
}

func TestDiffTreatsIDListsAsSets(t *testing.T) {
	out := map[string]string{}
	flattenInto(out, "views", []any{"m1", "m2"})
	if out["views[m1]"] != "present" || out["views[m2]"] != "present" || len(out) != 2 {
		t.Errorf("flatten = %v", out)
	}
}

func TestDiffLabelsArrayElementsByID(t *testing.T) {
	out := map[string]string{}
	flattenInto(out, "messages", []any{map[string]any{"seq": 7.0, "recalled": false}, map[string]any{"text": "x"}})
	if out["messages[seq=7].recalled"] != "false" || out["messages[1].text"] != `"x"` {
		t.Errorf("flatten = %v", out)
	}
}
