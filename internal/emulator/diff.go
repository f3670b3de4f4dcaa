package emulator

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Change is one difference between two snapshots, for people to read.
type Change struct {
	// Path locates the value, e.g. "rongcloud.messages.M1.extensions.leaked_phone".
	Path string
	// Before and After are the JSON values; empty means absent.
	Before, After string
}

// bookkeeping names snapshot values that count the emulator's own work rather than hold data
// (Easemob's count of issued tokens): Diff leaves them out, so a run reads as what it changed.
var bookkeeping = map[string]bool{"easemob.tokens_issued": true}

// Diff compares two snapshots and returns what was removed or changed, and how many values
// stayed as they were. It works on the JSON form so every vendor's store is covered the same
// way: objects by key, arrays of plain values as sets (a message ID list), other arrays by
// position.
func Diff(before, after Snapshot) (changes []Change, unchanged int, err error) {
	flatBefore, err := flatten(before)
	if err != nil {
		return nil, 0, err
	}
	flatAfter, err := flatten(after)
	if err != nil {
		return nil, 0, err
	}
	for _, path := range sortedKeys(flatBefore) {
		old := flatBefore[path]
		switch updated, ok := flatAfter[path]; {
		case !ok:
			changes = append(changes, Change{Path: path, Before: old})
		case updated != old:
			changes = append(changes, Change{Path: path, Before: old, After: updated})
		default:
			unchanged++
		}
	}
	for _, path := range sortedKeys(flatAfter) {
		if _, ok := flatBefore[path]; !ok {
			changes = append(changes, Change{Path: path, After: flatAfter[path]})
		}
	}
	return changes, unchanged, nil
}

func flatten(s Snapshot) (map[string]string, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	flattenInto(out, "", doc)
	for path := range bookkeeping {
		delete(out, path)
	}
	return out, nil
}

func flattenInto(out map[string]string, prefix string, v any) {
	join := func(key string) string {
		if prefix == "" {
			return key
		}
		return prefix + "." + key
	}
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			flattenInto(out, join(k), child)
		}
	case []any:
		if allScalars(t) {
			for _, item := range t {
				out[fmt.Sprintf("%s[%v]", prefix, item)] = "present"
			}
			return
		}
		labels := elementLabels(t)
		for i, child := range t {
			flattenInto(out, fmt.Sprintf("%s[%s]", prefix, labels[i]), child)
		}
	default:
		encoded, _ := json.Marshal(t)
		out[prefix] = string(encoded)
	}
}

// elementLabels names the elements of an array, in order. An element is named by its
// identifying field when it has one (a message's seq or ID), so a change reads
// "messages[seq=4]" rather than a position; an element without one is named by its position.
// If two elements of the array would get the same name, every element is named by its
// position instead: a shared name would merge their values and hide changes.
func elementLabels(items []any) []string {
	labels := make([]string, len(items))
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		label, ok := elementLabel(item)
		if !ok {
			label = fmt.Sprint(i)
		}
		if seen[label] {
			for k := range labels {
				labels[k] = fmt.Sprint(k)
			}
			return labels
		}
		seen[label] = true
		labels[i] = label
	}
	return labels
}

// elementLabel names an element by its first identifying field, such as "seq=4". Sequence
// numbers restart in each topic of a Tencent community group, so an element in a topic is
// named by both, as "topic_id=t1,seq=4". ok is false when the element has no identifying
// field.
func elementLabel(item any) (label string, ok bool) {
	obj, isObject := item.(map[string]any)
	if !isObject {
		return "", false
	}
	for _, key := range []string{"seq", "msg_id", "message_uid", "id"} {
		v, found := obj[key]
		if !found {
			continue
		}
		label = key + "=" + labelValue(v)
		if topic, found := obj["topic_id"]; found && topic != nil && topic != "" {
			label = "topic_id=" + labelValue(topic) + "," + label
		}
		return label, true
	}
	return "", false
}

// labelValue renders a JSON value for an element label: strings without their quotes.
func labelValue(v any) string {
	encoded, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.Trim(string(encoded), `"`)
}

func allScalars(items []any) bool {
	for _, item := range items {
		switch item.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// FormatChanges renders changes as lines such as "- deleted  rongcloud.messages.M1.extensions.k".
func FormatChanges(changes []Change) string {
	var b strings.Builder
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	for _, c := range changes {
		switch {
		case c.After == "":
			fmt.Fprintf(&b, "  - deleted  %s\n", c.Path)
		case c.Before == "":
			fmt.Fprintf(&b, "  + added    %s = %s\n", c.Path, c.After)
		default:
			fmt.Fprintf(&b, "  ~ changed  %s: %s -> %s\n", c.Path, c.Before, c.After)
		}
	}
	return b.String()
}
