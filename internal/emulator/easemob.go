package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// EasemobFixture is the Easemob part of a fixture: one org/app, its users, groups and chat
// rooms, and the messages stored for roaming.
type EasemobFixture struct {
	OrgName      string `json:"org_name"`
	AppName      string `json:"app_name"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// TokenTTLSeconds is the lifetime of issued tokens when the request names none (default 7200).
	TokenTTLSeconds int64 `json:"token_ttl_seconds,omitempty"`
	// RoamingEnabled switches the message-roaming service; unset means enabled. When it is off
	// every roaming call is refused with "service open exception", as for a real app.
	RoamingEnabled *bool            `json:"roaming_enabled,omitempty"`
	Users          []string         `json:"users,omitempty"`
	Groups         []EasemobGroup   `json:"groups,omitempty"`
	Messages       []EasemobMessage `json:"messages,omitempty"`
}

// EasemobGroup is a group or a chat room and its members.
type EasemobGroup struct {
	GroupID string `json:"group_id"`
	// Type is "group" or "chatroom".
	Type    string   `json:"type"`
	Members []string `json:"members,omitempty"`
}

// EasemobMessage is one stored message.
type EasemobMessage struct {
	MsgID string `json:"msg_id"`
	From  string `json:"from"`
	// To is the receiving user for "chat", the group or chat room ID otherwise.
	To string `json:"to"`
	// ChatType is "chat", "groupchat" or "chatroom".
	ChatType string `json:"chat_type"`
	// Timestamp is when the message was sent, in ms since the epoch.
	Timestamp int64 `json:"timestamp"`
}

// EasemobState is what each user can still pull from roaming: one-way deletions hide messages
// from their owner's view only, so the same message may be gone for one user and present for
// another. A conversation with nothing left is absent, as Easemob drops it from the list.
type EasemobState struct {
	Users map[string]EasemobUserView `json:"users"`
	// TokensIssued counts successful token requests, to check that clients reuse tokens.
	TokensIssued int `json:"tokens_issued"`
}

// EasemobUserView is one user's roaming messages, by conversation, as sorted message IDs.
type EasemobUserView struct {
	// Chats maps the peer's user ID to the one-to-one messages the user still sees.
	Chats map[string][]string `json:"chats,omitempty"`
	// Groups maps a group or chat room ID to the messages the user still sees there.
	Groups map[string][]string `json:"groups,omitempty"`
}

// ChatView returns the message IDs user still sees in the one-to-one chat with peer.
func (s *EasemobState) ChatView(user, peer string) []string {
	return s.Users[user].Chats[peer]
}

// GroupView returns the message IDs user still sees in a group or chat room.
func (s *EasemobState) GroupView(user, groupID string) []string {
	return s.Users[user].Groups[groupID]
}

// MessageCount returns how many messages user still sees, in every conversation.
func (s *EasemobState) MessageCount(user string) int {
	n := 0
	for _, ids := range s.Users[user].Chats {
		n += len(ids)
	}
	for _, ids := range s.Users[user].Groups {
		n += len(ids)
	}
	return n
}

// Rate limits of the emulated app, per second.
const easemobTokenRequestsPerSecond = 300

type easemobVendor struct {
	emu    *Emulator
	app    *EasemobFixture
	appID  string
	groups map[string]EasemobGroup
	// byID indexes the fixture's messages, so a deletion by ID costs what it lists.
	byID map[string]EasemobMessage
	// users holds every user the fixture names: listed, a group member, or a chat party.
	users map[string]bool
	// hidden holds, per user, the IDs of messages deleted from that user's view.
	hidden map[string]map[string]bool
	// tokens maps each issued token to its expiry.
	tokens        map[string]time.Time
	tokensIssued  int
	apiLimiter    *rate.Limiter
	tokenLimiter  *rate.Limiter
	roamingActive bool
}

func newEasemobVendor(e *Emulator) *easemobVendor { return &easemobVendor{emu: e} }

func (v *easemobVendor) name() string { return "easemob" }

func (v *easemobVendor) load(f Fixture) {
	v.app = nil
	v.groups = map[string]EasemobGroup{}
	v.byID = map[string]EasemobMessage{}
	v.users = map[string]bool{}
	v.hidden = map[string]map[string]bool{}
	v.tokens = map[string]time.Time{}
	v.tokensIssued = 0
	v.apiLimiter = v.emu.quotaLimiter(easemob.DefaultRequestsPerSecond)
	v.tokenLimiter = v.emu.quotaLimiter(easemobTokenRequestsPerSecond)
	if f.Easemob == nil {
		return
	}
	app := *f.Easemob
	app.Users = slices.Clone(app.Users)
	app.Messages = slices.Clone(app.Messages)
	for _, user := range app.Users {
		v.users[user] = true
	}
	for _, m := range app.Messages {
		v.byID[m.MsgID] = m
		v.users[m.From] = true
		if m.ChatType == "chat" {
			v.users[m.To] = true
		}
	}
	app.Groups = nil
	for _, g := range f.Easemob.Groups {
		g.Members = slices.Clone(g.Members)
		app.Groups = append(app.Groups, g)
		v.groups[g.GroupID] = g
		for _, member := range g.Members {
			v.users[member] = true
		}
	}
	if app.TokenTTLSeconds <= 0 {
		app.TokenTTLSeconds = 7200
	}
	v.roamingActive = app.RoamingEnabled == nil || *app.RoamingEnabled
	v.app = &app
	v.appID = client.RandomUUID()
}

func (v *easemobVendor) snapshot(s *Snapshot) {
	if v.app == nil {
		return
	}
	state := &EasemobState{Users: map[string]EasemobUserView{}, TokensIssued: v.tokensIssued}
	view := func(user string) EasemobUserView {
		if _, ok := state.Users[user]; !ok {
			state.Users[user] = EasemobUserView{Chats: map[string][]string{}, Groups: map[string][]string{}}
		}
		return state.Users[user]
	}
	for _, user := range v.app.Users {
		view(user)
	}
	for _, g := range v.app.Groups {
		for _, member := range g.Members {
			view(member)
		}
	}
	for _, m := range v.app.Messages {
		if m.ChatType == "chat" {
			for _, pair := range [][2]string{{m.From, m.To}, {m.To, m.From}} {
				owner, peer := pair[0], pair[1]
				if userView := view(owner); !v.hidden[owner][m.MsgID] {
					userView.Chats[peer] = append(userView.Chats[peer], m.MsgID)
				}
			}
			continue
		}
		for _, member := range v.groups[m.To].Members {
			if userView := view(member); !v.hidden[member][m.MsgID] {
				userView.Groups[m.To] = append(userView.Groups[m.To], m.MsgID)
			}
		}
	}
	for _, userView := range state.Users {
		for _, ids := range userView.Chats {
			slices.Sort(ids)
		}
		for _, ids := range userView.Groups {
			slices.Sort(ids)
		}
	}
	s.Easemob = state
}

// emError writes Easemob's error envelope.
func (v *easemobVendor) emError(w http.ResponseWriter, status int, code, exception, description string) {
	writeJSON(w, status, map[string]any{
		"error": code, "exception": exception, "error_description": description,
		"timestamp": v.emu.opts.Now().UnixMilli(), "duration": 0,
	})
}

func (v *easemobVendor) rateLimitAnswer(w http.ResponseWriter) {
	v.emError(w, http.StatusTooManyRequests, "reach_limit", "EasemobTooManyRequestsException",
		"This request has reached api limit")
}

func (v *easemobVendor) badRequest(w http.ResponseWriter) {
	v.emError(w, http.StatusBadRequest, "Bad Request", "BadRequestException", "Bad Request")
}

// serve routes /{org}/{app}/token and /{org}/{app}/rest/message/roaming/...
func (v *easemobVendor) serve(w http.ResponseWriter, r *http.Request) {
	segments, err := pathSegments(r.URL.EscapedPath())
	if err != nil || len(segments) < 3 {
		v.emError(w, http.StatusNotFound, "service_resource_not_found", "ResourceNotFoundException", "no such resource: "+r.URL.Path)
		return
	}
	if v.app == nil || segments[0] != v.app.OrgName || segments[1] != v.app.AppName {
		v.emError(w, http.StatusNotFound, "organization_application_not_found", "OrganizationApplicationNotFoundException",
			fmt.Sprintf("Could not find application for %s/%s from URI: %s", segments[0], segments[1], r.URL.Path))
		return
	}
	route := segments[2:]
	if len(route) == 1 && route[0] == "token" && r.Method == http.MethodPost {
		v.issueToken(w, r)
		return
	}
	if !v.authenticated(r) {
		v.emError(w, http.StatusUnauthorized, "unauthorized", "UnauthorizedException",
			"Unable to authenticate due to expired or corrupt access token")
		return
	}
	handler := v.roamingHandler(r.Method, route)
	if handler == nil {
		v.emError(w, http.StatusNotFound, "service_resource_not_found", "ResourceNotFoundException",
			"no such resource: "+r.Method+" "+r.URL.Path)
		return
	}
	if !v.emu.opts.DisableRateLimits && !v.apiLimiter.AllowN(v.emu.opts.Now(), 1) {
		v.rateLimitAnswer(w)
		return
	}
	if !v.roamingActive {
		v.emError(w, http.StatusBadRequest, "service open exception", "ServiceOpenException", "this appKey not open message roaming")
		return
	}
	handler(w, r.URL.Query())
}

// roamingHandler picks the handler for a route below /{org}/{app}, or nil.
func (v *easemobVendor) roamingHandler(method string, route []string) func(http.ResponseWriter, url.Values) {
	if len(route) < 5 || route[0] != "rest" || route[1] != "message" || route[2] != "roaming" {
		return nil
	}
	rest := route[3:]
	switch {
	case method == http.MethodDelete && len(rest) == 3 && rest[0] == "chat" && rest[1] == "user":
		return func(w http.ResponseWriter, q url.Values) { v.deleteByID(w, rest[2], "userId", q, v.inChat) }
	case method == http.MethodDelete && len(rest) == 3 && rest[0] == "group" && rest[1] == "user":
		return func(w http.ResponseWriter, q url.Values) { v.deleteByID(w, rest[2], "groupId", q, v.inGroup) }
	case method == http.MethodDelete && len(rest) == 4 && rest[0] == "chat" && rest[1] == "user" && rest[3] == "time":
		return func(w http.ResponseWriter, q url.Values) { v.clearBefore(w, rest[2], "userId", q, v.inChat) }
	case method == http.MethodDelete && len(rest) == 4 && rest[0] == "group" && rest[1] == "user" && rest[3] == "time":
		return func(w http.ResponseWriter, q url.Values) { v.clearBefore(w, rest[2], "groupId", q, v.inGroup) }
	case method == http.MethodPost && len(rest) == 4 && rest[0] == "user" && rest[2] == "delete" && rest[3] == "all":
		return func(w http.ResponseWriter, _ url.Values) { v.clearAll(w, rest[1]) }
	}
	return nil
}

// issueToken answers POST /token for the configured client credentials.
func (v *easemobVendor) issueToken(w http.ResponseWriter, r *http.Request) {
	if !v.emu.opts.DisableRateLimits && !v.tokenLimiter.AllowN(v.emu.opts.Now(), 1) {
		v.rateLimitAnswer(w)
		return
	}
	var req struct {
		GrantType    string `json:"grant_type"`
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		TTL          int64  `json:"ttl"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.GrantType != "client_credentials" || req.ClientID == "" || req.ClientSecret == "" {
		v.emError(w, http.StatusBadRequest, "illegal_argument", "IllegalArgumentException",
			"body must be JSON with grant_type client_credentials, client_id and client_secret")
		return
	}
	if req.ClientID != v.app.ClientID {
		v.emError(w, http.StatusBadRequest, "invalid_grant", "InvalidGrantException", "client_id does not match")
		return
	}
	if req.ClientSecret != v.app.ClientSecret {
		v.emError(w, http.StatusBadRequest, "invalid_grant", "InvalidGrantException", "client_secret does not match")
		return
	}
	ttl := v.app.TokenTTLSeconds
	if req.TTL > 0 {
		ttl = req.TTL
	}
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	token := "YWMt" + base64.RawURLEncoding.EncodeToString(raw[:])
	v.tokens[token] = v.emu.opts.Now().Add(time.Duration(ttl) * time.Second)
	v.tokensIssued++
	writeJSON(w, http.StatusOK, map[string]any{"access_token": token, "expires_in": ttl, "application": v.appID})
}

// authenticated checks for a Bearer token this emulator issued and that has not expired.
func (v *easemobVendor) authenticated(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	expiry, ok := v.tokens[token]
	return ok && v.emu.opts.Now().Before(expiry)
}

// inChat reports whether m is a one-to-one message between user and peer.
func (v *easemobVendor) inChat(m EasemobMessage, user, peer string) bool {
	return m.ChatType == "chat" && ((m.From == user && m.To == peer) || (m.From == peer && m.To == user))
}

// inGroup reports whether m belongs to a group or chat room that user is a member of.
func (v *easemobVendor) inGroup(m EasemobMessage, user, groupID string) bool {
	return m.ChatType != "chat" && m.To == groupID && slices.Contains(v.groups[groupID].Members, user)
}

// deleteByID hides the listed messages of one conversation from user's view. IDs of other
// conversations are ignored: Easemob's documentation does not say what it does with them, so
// this is the emulator's assumption, and the provider never relies on it (it sends only what
// the user listed, scoped by userId or groupId).
func (v *easemobVendor) deleteByID(w http.ResponseWriter, user, targetParam string, q url.Values, belongs func(m EasemobMessage, user, target string) bool) {
	target := q.Get(targetParam)
	ids, listed := map[string]bool{}, 0
	for _, id := range strings.Split(q.Get("msgIdList"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids[id] = true
			listed++
		}
	}
	if target == "" || listed == 0 || !validNotify(q) {
		v.badRequest(w)
		return
	}
	if listed > easemob.MessageIDsPerCall {
		v.emError(w, http.StatusBadRequest, "param exception", "ParamException",
			fmt.Sprintf("delete msg list limit can not greater than %d", easemob.MessageIDsPerCall))
		return
	}
	var matched []string
	for id := range ids {
		if m, ok := v.byID[id]; ok && belongs(m, user, target) && !v.hidden[user][id] {
			matched = append(matched, id)
		}
	}
	noteMatched(w, len(matched))
	if v.emu.opts.Strict && (!v.strictTargetsHeld(w, user, targetParam, target) ||
		!v.strictAllHeld(w, len(ids)-len(matched), len(ids))) {
		return
	}
	v.hide(user, matched)
	v.ok(w)
}

// clearBefore hides user's messages of one conversation sent at or before delTime.
func (v *easemobVendor) clearBefore(w http.ResponseWriter, user, targetParam string, q url.Values, belongs func(m EasemobMessage, user, target string) bool) {
	target := q.Get(targetParam)
	delTime, err := strconv.ParseInt(q.Get("delTime"), 10, 64)
	if target == "" || err != nil || delTime < 0 || !validNotify(q) {
		v.badRequest(w)
		return
	}
	var matched []string
	for _, m := range v.app.Messages {
		if m.Timestamp <= delTime && belongs(m, user, target) && !v.hidden[user][m.MsgID] {
			matched = append(matched, m.MsgID)
		}
	}
	noteMatched(w, len(matched))
	if v.emu.opts.Strict && (!v.strictTargetsHeld(w, user, targetParam, target) ||
		!v.strictSomeHeld(w, len(matched), "no roaming message of this user in this conversation was sent at or before delTime")) {
		return
	}
	v.hide(user, matched)
	v.ok(w)
}

// clearAll hides every message of every conversation from user's view.
func (v *easemobVendor) clearAll(w http.ResponseWriter, user string) {
	var matched []string
	for _, m := range v.app.Messages {
		if v.hidden[user][m.MsgID] {
			continue
		}
		if m.ChatType == "chat" {
			if m.From == user || m.To == user {
				matched = append(matched, m.MsgID)
			}
		} else if slices.Contains(v.groups[m.To].Members, user) {
			matched = append(matched, m.MsgID)
		}
	}
	noteMatched(w, len(matched))
	if v.emu.opts.Strict && (!v.strictUserHeld(w, user) ||
		!v.strictSomeHeld(w, len(matched), "this user has no roaming message left")) {
		return
	}
	v.hide(user, matched)
	v.ok(w)
}

// hide removes messages from user's view.
func (v *easemobVendor) hide(user string, msgIDs []string) {
	if len(msgIDs) == 0 {
		return
	}
	if v.hidden[user] == nil {
		v.hidden[user] = map[string]bool{}
	}
	for _, id := range msgIDs {
		v.hidden[user][id] = true
	}
}

func (v *easemobVendor) ok(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, map[string]any{"requestStatusCode": "ok", "timestamp": v.emu.opts.Now().UnixMilli()})
}

// validNotify accepts an absent isNotify (Easemob's default is true) or true/false.
func validNotify(q url.Values) bool {
	switch q.Get("isNotify") {
	case "", "true", "false":
		return true
	}
	return false
}

// pathSegments splits an escaped path into unescaped segments, so an ID holding an escaped
// "/" stays one segment.
func pathSegments(escaped string) ([]string, error) {
	parts := strings.Split(strings.Trim(escaped, "/"), "/")
	for i, part := range parts {
		unescaped, err := url.PathUnescape(part)
		if err != nil {
			return nil, err
		}
		parts[i] = unescaped
	}
	return parts, nil
}
