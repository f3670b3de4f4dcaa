package emulator

import (
	"maps"
	"slices"
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
	text := FormatChanges(changes)
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

// Sequence numbers restart in each topic of a community group, so seq 1 of a topic and seq 1
// of the group's own stream are two messages; recalling one must show as one change that
// names the topic, whichever comes first in the history.
func TestDiffKeepsTopicMessagesApart(t *testing.T) {
	main := TencentIMMessage{Seq: 1, Sender: "alice", Text: "hello everyone"}
	topic := TencentIMMessage{Seq: 1, Sender: "mallory", Text: "spam", TopicID: "t1"}
	for name, history := range map[string][]TencentIMMessage{
		"topic first": {topic, main},
		"main first":  {main, topic},
	} {
		t.Run(name, func(t *testing.T) {
			snapshot := func(recallTopic bool) Snapshot {
				messages := slices.Clone(history)
				for i := range messages {
					if messages[i].TopicID == "t1" {
						messages[i].Recalled = recallTopic
					}
				}
				return Snapshot{TencentIM: &TencentIMState{Groups: map[string]TencentIMGroup{
					"@TGS#community": {GroupID: "@TGS#community", Type: "Community", Topics: []string{"t1"}, Messages: messages},
				}}}
			}
			changes, unchanged, err := Diff(snapshot(false), snapshot(true))
			if err != nil {
				t.Fatal(err)
			}
			text := FormatChanges(changes)
			want := Change{Path: "tencentim.groups.@TGS#community.messages[topic_id=t1,seq=1].recalled", Before: "false", After: "true"}
			if len(changes) != 1 || changes[0] != want {
				t.Fatalf("changes = %+v, want exactly %+v:\n%s", changes, want, text)
			}
			// Both messages' fields count: the group's own seq 1 is kept, not merged away.
			flat, err := flatten(snapshot(false))
			if err != nil {
				t.Fatal(err)
			}
			if unchanged != len(flat)-1 {
				t.Errorf("unchanged = %d, want %d (every value but the recalled flag)", unchanged, len(flat)-1)
			}
			if flat["tencentim.groups.@TGS#community.messages[seq=1].text"] != `"hello everyone"` {
				t.Errorf("the group's own message is not labelled seq=1: %v", flat)
			}
		})
	}
}

// Elements that would share a label make the whole array fall back to positions, so no
// element's values overwrite another's.
func TestDiffFallsBackToPositionsOnDuplicateLabels(t *testing.T) {
	out := map[string]string{}
	flattenInto(out, "messages", []any{
		map[string]any{"seq": 1.0, "text": "a"},
		map[string]any{"seq": 1.0, "text": "b"},
		map[string]any{"seq": 2.0, "text": "c"},
	})
	want := map[string]string{
		"messages[0].seq": "1", "messages[0].text": `"a"`,
		"messages[1].seq": "1", "messages[1].text": `"b"`,
		"messages[2].seq": "2", "messages[2].text": `"c"`,
	}
	if !maps.Equal(out, want) {
		t.Errorf("flatten = %v\nwant %v", out, want)
	}
}
