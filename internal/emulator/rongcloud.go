package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
	"golang.org/x/time/rate"
)

// RongCloudFixture is the RongCloud part of a fixture: one app and its messages.
type RongCloudFixture struct {
	AppKey     string               `json:"app_key"`
	AppSecret  string               `json:"app_secret"`
	Messages   []RongCloudMessage   `json:"messages,omitempty"`
	Broadcasts []RongCloudBroadcast `json:"broadcasts,omitempty"`
}

// RongCloudMessage is a one-to-one or group message with its extensions.
type RongCloudMessage struct {
	MsgUID     string `json:"msg_uid"`
	FromUserID string `json:"from_user_id"`
	// ConversationType is "private" or "group".
	ConversationType string            `json:"conversation_type"`
	TargetID         string            `json:"target_id"`
	Extensions       map[string]string `json:"extensions,omitempty"`
}

// RongCloudBroadcast is a broadcast message and what has been done to it.
type RongCloudBroadcast struct {
	MessageUID string `json:"message_uid"`
	FromUserID string `json:"from_user_id"`
	SentTime   int64  `json:"sent_time,omitempty"`
	Recalled   bool   `json:"recalled"`
	// Deleted is set when the recall asked for no "recalled" notice.
	Deleted bool   `json:"deleted"`
	Extra   string `json:"recall_extra,omitempty"`
}

// RongCloudState is the RongCloud store, keyed by message UID.
type RongCloudState struct {
	Messages   map[string]RongCloudMessage   `json:"messages"`
	Broadcasts map[string]RongCloudBroadcast `json:"broadcasts"`
}

type rongcloudVendor struct {
	emu        *Emulator
	app        *RongCloudFixture
	messages   map[string]*RongCloudMessage
	broadcasts map[string]*RongCloudBroadcast
	appLimiter *rate.Limiter
	// groupLimiter holds group extension deletions to their own share of the app limit.
	groupLimiter *rate.Limiter
	// recallTimes are the accepted broadcast recalls, for the 2/hour and 3/day quota.
	recallTimes []time.Time
}

func newRongCloudVendor(e *Emulator) *rongcloudVendor { return &rongcloudVendor{emu: e} }

func (v *rongcloudVendor) name() string { return "rongcloud" }

func (v *rongcloudVendor) load(f Fixture) {
	v.app = f.RongCloud
	v.messages = map[string]*RongCloudMessage{}
	v.broadcasts = map[string]*RongCloudBroadcast{}
	v.recallTimes = nil
	v.appLimiter = v.emu.quotaLimiter(rongcloud.DefaultRequestsPerSecond)
	v.groupLimiter = v.emu.quotaLimiter(rongcloud.GroupExtensionDeletesPerSecond)
	if f.RongCloud == nil {
		return
	}
	for _, m := range f.RongCloud.Messages {
		m.Extensions = copyMap(m.Extensions)
		v.messages[m.MsgUID] = &m
	}
	for _, b := range f.RongCloud.Broadcasts {
		v.broadcasts[b.MessageUID] = &b
	}
}

func (v *rongcloudVendor) snapshot(s *Snapshot) {
	if v.app == nil {
		return
	}
	state := &RongCloudState{Messages: map[string]RongCloudMessage{}, Broadcasts: map[string]RongCloudBroadcast{}}
	for id, m := range v.messages {
		c := *m
		c.Extensions = copyMap(m.Extensions)
		state.Messages[id] = c
	}
	for id, b := range v.broadcasts {
		state.Broadcasts[id] = *b
	}
	s.RongCloud = state
}

// rcError writes RongCloud's error envelope with the HTTP status that goes with the code.
func rcError(w http.ResponseWriter, code int, message string) {
	status := map[int]int{1000: 500, 1001: 401, 1002: 400, 1003: 400, 1004: 401, 1005: 400, 1006: 401, 1007: 401, 1008: 429, 1009: 430, 1050: 504}[code]
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeJSON(w, status, map[string]any{"code": code, "errorMessage": message})
}

func (v *rongcloudVendor) rateLimitAnswer(w http.ResponseWriter) {
	rcError(w, 1008, "too many requests")
}

func (v *rongcloudVendor) serve(w http.ResponseWriter, r *http.Request) {
	if id := r.Header.Get("X-Request-ID"); id != "" {
		w.Header().Set("X-Request-ID", id)
	}
	if !v.authenticate(w, r) {
		return
	}
	if r.Method != http.MethodPost {
		rcError(w, 1002, "method must be POST")
		return
	}
	if err := r.ParseForm(); err != nil || len(r.PostForm) == 0 {
		rcError(w, 1003, "no POST data")
		return
	}
	switch r.URL.Path {
	case "/message/expansion/delete.json":
		v.deleteExtensions(w, r)
	case "/message/broadcast/recall.json":
		v.recallBroadcast(w, r)
	default:
		rcError(w, 1002, "unknown API path "+r.URL.Path)
	}
}

// authenticate checks the four signature headers the way RongCloud does.
func (v *rongcloudVendor) authenticate(w http.ResponseWriter, r *http.Request) bool {
	appKey, nonce, timestamp, signature := r.Header.Get("App-Key"), r.Header.Get("Nonce"), r.Header.Get("Timestamp"), r.Header.Get("Signature")
	switch {
	case appKey == "" || nonce == "" || timestamp == "" || signature == "":
		rcError(w, 1004, "missing App-Key, Nonce, Timestamp or Signature header")
	case v.app == nil || appKey != v.app.AppKey:
		rcError(w, 1001, "app key not found in this data centre")
	case len(nonce) > 18:
		rcError(w, 1002, "Nonce is longer than 18 characters")
	case !validTimestamp(timestamp):
		rcError(w, 1002, "Timestamp must be milliseconds or seconds since the epoch")
	case !strings.EqualFold(signature, rongcloud.Signature(v.app.AppSecret, nonce, timestamp)):
		rcError(w, 1004, "signature error")
	default:
		return true
	}
	return false
}

func validTimestamp(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

func (v *rongcloudVendor) deleteExtensions(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	msgUID, userID, convType, targetID, rawKeys := form.Get("msgUID"), form.Get("userId"), form.Get("conversationType"), form.Get("targetId"), form.Get("extraKey")
	if msgUID == "" || userID == "" || convType == "" || targetID == "" || rawKeys == "" {
		rcError(w, 1002, "msgUID, userId, conversationType, targetId and extraKey are required")
		return
	}
	if sync := form.Get("isSyncSender"); sync != "" && sync != "0" && sync != "1" {
		rcError(w, 1002, "isSyncSender must be 0 or 1")
		return
	}
	var keys []string
	if err := json.Unmarshal([]byte(rawKeys), &keys); err != nil || len(keys) == 0 {
		rcError(w, 1002, "extraKey must be a non-empty JSON array of strings")
		return
	}
	if len(keys) > rongcloud.ExtraKeysPerCall {
		rcError(w, 1005, fmt.Sprintf("extraKey holds %d keys; at most %d per call", len(keys), rongcloud.ExtraKeysPerCall))
		return
	}
	var kind string
	switch convType {
	case "1":
		kind = "private"
	case "3":
		kind = "group"
	default:
		rcError(w, 1002, "conversationType must be 1 (one-to-one) or 3 (group)")
		return
	}
	if !v.allow(v.appLimiter) || (kind == "group" && !v.allow(v.groupLimiter)) {
		v.rateLimitAnswer(w)
		return
	}
	msg, ok := v.messages[msgUID]
	if !ok || msg.ConversationType != kind || !inConversation(msg, userID, targetID) {
		noteMatched(w, 0)
		rcError(w, 1002, "no such message in this conversation")
		return
	}
	listed := make(map[string]bool, len(keys))
	held := 0
	for _, key := range keys {
		if _, set := msg.Extensions[key]; set && !listed[key] {
			held++
		}
		listed[key] = true
	}
	noteMatched(w, held)
	if v.emu.opts.Strict && held < len(listed) {
		rcError(w, 1002, strictRefusal("%d of the %d keys in extraKey are not set on this message", len(listed)-held, len(listed)))
		return
	}
	for key := range listed {
		delete(msg.Extensions, key)
	}
	writeJSON(w, http.StatusOK, map[string]int{"code": 200})
}

// inConversation checks the operator and target name the message's conversation.
func inConversation(m *RongCloudMessage, userID, targetID string) bool {
	if m.ConversationType == "group" {
		return targetID == m.TargetID
	}
	return (userID == m.FromUserID && targetID == m.TargetID) || (userID == m.TargetID && targetID == m.FromUserID)
}

func (v *rongcloudVendor) recallBroadcast(w http.ResponseWriter, r *http.Request) {
	form := r.PostForm
	from, uid := form.Get("fromUserId"), form.Get("messageUID")
	if from == "" || uid == "" {
		rcError(w, 1002, "fromUserId and messageUID are required")
		return
	}
	for _, field := range []string{"isAdmin", "isDelete"} {
		if value := form.Get(field); value != "" && value != "0" && value != "1" {
			rcError(w, 1002, field+" must be 0 or 1")
			return
		}
	}
	if value := form.Get("disableUpdateLastMsg"); value != "" && value != "true" && value != "false" {
		rcError(w, 1002, "disableUpdateLastMsg must be true or false")
		return
	}
	if !v.allowRecall() {
		rcError(w, 1008, "broadcast recall quota exceeded (2 per hour, 3 per day)")
		return
	}
	b, ok := v.broadcasts[uid]
	if !ok || b.FromUserID != from {
		noteMatched(w, 0)
		rcError(w, 1002, "no such broadcast message from this sender")
		return
	}
	if sent := form.Get("sentTime"); sent != "" && b.SentTime != 0 && sent != strconv.FormatInt(b.SentTime, 10) {
		noteMatched(w, 0)
		rcError(w, 1002, "sentTime does not match the message")
		return
	}
	if b.Recalled {
		noteMatched(w, 0)
		if v.emu.opts.Strict {
			rcError(w, 1002, strictRefusal("this broadcast message is already recalled"))
			return
		}
	} else {
		noteMatched(w, 1)
	}
	b.Recalled = true
	b.Deleted = form.Get("isDelete") == "1"
	b.Extra = form.Get("extra")
	writeJSON(w, http.StatusOK, map[string]int{"code": 200})
}

// allowRecall applies the broadcast-recall quota: 2 per rolling hour, 3 per calendar day (UTC).
func (v *rongcloudVendor) allowRecall() bool {
	now := v.emu.opts.Now()
	if v.emu.opts.DisableRateLimits {
		return true
	}
	var lastHour, today int
	y, m, d := now.UTC().Date()
	for _, t := range v.recallTimes {
		if now.Sub(t) < time.Hour {
			lastHour++
		}
		if ty, tm, td := t.UTC().Date(); ty == y && tm == m && td == d {
			today++
		}
	}
	if lastHour >= 2 || today >= 3 {
		return false
	}
	v.recallTimes = append(v.recallTimes, now)
	return true
}

func (v *rongcloudVendor) allow(l *rate.Limiter) bool {
	return v.emu.opts.DisableRateLimits || l.AllowN(v.emu.opts.Now(), 1)
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sortedKeys returns a map's keys in order, for stable output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
