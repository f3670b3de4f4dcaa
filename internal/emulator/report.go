package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// FormatDiff renders what a run did to the store, for people: every value deleted or changed,
// then what was kept, conversation by conversation, and, when requests is not nil, each
// vendor request with how many stored items it matched, warning about those that matched
// nothing. It ends with one summary line ("3 changed; kept: ...").
func FormatDiff(before, after Snapshot, requests []RequestRecord) (string, error) {
	changes, _, err := Diff(before, after)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Deleted or changed (%d):\n", len(changes))
	if len(changes) == 0 {
		b.WriteString("  nothing\n")
	}
	b.WriteString(FormatChanges(changes))

	kept := keptItems(before, after)
	b.WriteString("Kept:\n")
	if len(kept.lines) == 0 {
		b.WriteString("  nothing\n")
	}
	for _, line := range kept.lines {
		fmt.Fprintf(&b, "  %-9s  %s: %s\n", line.vendor, line.where, line.what)
	}
	if requests != nil {
		b.WriteString(FormatRequests(requests))
	}
	fmt.Fprintf(&b, "%d changed; kept: %s\n", len(changes), kept.summary())
	return b.String(), nil
}

// maxKeptShown caps the IDs listed per conversation, so a large store stays readable.
const maxKeptShown = 10

type keptLine struct{ vendor, where, what string }

// keptReport is what stayed in the store, per conversation, with totals per kind.
type keptReport struct {
	lines                                             []keptLine
	extensionKeys, broadcasts, easemobCopies, tencent int
}

func (k *keptReport) summary() string {
	return fmt.Sprintf("%s, %s, %s (per user view), %s", count(k.extensionKeys, "extension key"),
		count(k.broadcasts, "broadcast"), count(k.easemobCopies, "Easemob message"), count(k.tencent, "Tencent message"))
}

// keptItems lists what the before snapshot held and the after snapshot still holds
// unchanged: extension keys and unrecalled broadcasts, each user's roaming messages per
// conversation, and Tencent messages not recalled.
func keptItems(before, after Snapshot) keptReport {
	var k keptReport
	if before.RongCloud != nil && after.RongCloud != nil {
		k.rongcloud(before.RongCloud, after.RongCloud)
	}
	if before.Easemob != nil && after.Easemob != nil {
		k.easemob(before.Easemob, after.Easemob)
	}
	if before.TencentIM != nil && after.TencentIM != nil {
		k.tencentim(before.TencentIM, after.TencentIM)
	}
	return k
}

func (k *keptReport) rongcloud(before, after *RongCloudState) {
	for _, uid := range sortedKeys(before.Messages) {
		old, now := before.Messages[uid], after.Messages[uid]
		var keys []string
		for _, key := range sortedKeys(old.Extensions) {
			if value, ok := now.Extensions[key]; ok && value == old.Extensions[key] {
				keys = append(keys, key)
			}
		}
		if len(keys) > 0 {
			where := fmt.Sprintf("message %s (%s %s)", uid, old.ConversationType, old.TargetID)
			k.lines = append(k.lines, keptLine{"rongcloud", where, "extensions " + listSome(keys)})
			k.extensionKeys += len(keys)
		}
	}
	for _, uid := range sortedKeys(before.Broadcasts) {
		if old, now := before.Broadcasts[uid], after.Broadcasts[uid]; old == now && !now.Recalled {
			k.lines = append(k.lines, keptLine{"rongcloud", "broadcast " + uid, "not recalled"})
			k.broadcasts++
		}
	}
}

func (k *keptReport) easemob(before, after *EasemobState) {
	add := func(user, where string, old, now []string) {
		// A set, so a view of 100,000 IDs costs what it lists.
		still := make(map[string]bool, len(now))
		for _, id := range now {
			still[id] = true
		}
		var ids []string
		for _, id := range old {
			if still[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			k.lines = append(k.lines, keptLine{"easemob", user + ", " + where, count(len(ids), "message") + ": " + listSome(ids)})
			k.easemobCopies += len(ids)
		}
	}
	for _, user := range sortedKeys(before.Users) {
		old, now := before.Users[user], after.Users[user]
		for _, peer := range sortedKeys(old.Chats) {
			add(user, "chat with "+peer, old.Chats[peer], now.Chats[peer])
		}
		for _, group := range sortedKeys(old.Groups) {
			add(user, "group "+group, old.Groups[group], now.Groups[group])
		}
	}
}

func (k *keptReport) tencentim(before, after *TencentIMState) {
	type streamKey struct {
		topic string
		seq   uint64
	}
	for _, id := range sortedKeys(before.Groups) {
		now := map[streamKey]TencentIMMessage{}
		for _, m := range after.Groups[id].Messages {
			now[streamKey{m.TopicID, m.Seq}] = m
		}
		seqsByTopic := map[string][]uint64{}
		for _, m := range before.Groups[id].Messages {
			if current, ok := now[streamKey{m.TopicID, m.Seq}]; ok && current == m && !m.Recalled {
				seqsByTopic[m.TopicID] = append(seqsByTopic[m.TopicID], m.Seq)
			}
		}
		for _, topic := range sortedKeys(seqsByTopic) {
			seqs := seqsByTopic[topic]
			where := "group " + id
			if topic != "" {
				where += ", topic " + topic
			}
			k.lines = append(k.lines, keptLine{"tencentim", where, count(len(seqs), "message") + ": seq " + seqRanges(seqs)})
			k.tencent += len(seqs)
		}
	}
}

// count renders "1 message", "2 messages".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// listSome joins up to maxKeptShown items and says how many more there are.
func listSome(items []string) string {
	if len(items) <= maxKeptShown {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxKeptShown], ", "), len(items)-maxKeptShown)
}

// seqRanges renders sequence numbers as runs: "1-3, 5, 7-9".
func seqRanges(seqs []uint64) string {
	seqs = slices.Clone(seqs)
	slices.Sort(seqs)
	var parts []string
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", seqs[i], seqs[j]))
		} else {
			parts = append(parts, fmt.Sprint(seqs[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// FormatRequests renders a request log: one line per vendor request with its status and, for
// requests that act on the store, how many stored items it matched; then a warning naming how
// many matched nothing.
func FormatRequests(requests []RequestRecord) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Vendor requests (%d):\n", len(requests))
	nothing := 0
	for _, r := range requests {
		line := fmt.Sprintf("  %-9s  %d  %s %s%s", r.Vendor, r.Status, r.Method, r.Base, r.Path)
		if r.Matched != nil {
			line += fmt.Sprintf("  matched %d", *r.Matched)
		}
		if r.MatchedNothing {
			line += "  <- matched nothing"
			nothing++
		}
		b.WriteString(line + "\n")
	}
	if nothing > 0 {
		fmt.Fprintf(&b, "  ! %s matched nothing in the store: the fixture does not hold what they target, "+
			"so the run proves nothing about them (with -strict the emulator refuses such requests)\n", count(nothing, "request"))
	}
	return b.String()
}
