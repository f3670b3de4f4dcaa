package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"

	"golang.org/x/time/rate"

	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

// TencentIMFixture is the Tencent Cloud IM part of a fixture: one app, the accounts that may
// call the REST API, and the groups with their message history.
type TencentIMFixture struct {
	SDKAppID  uint64 `json:"sdk_app_id"`
	SecretKey string `json:"secret_key"`
	// Admins are the app administrator accounts; only they may be the identifier of a call.
	Admins []string         `json:"admins"`
	Groups []TencentIMGroup `json:"groups,omitempty"`
}

// TencentIMGroup is a group and its message history.
type TencentIMGroup struct {
	GroupID string `json:"group_id"`
	// Type is Tencent's group type: Private, Public, ChatRoom, AVChatRoom or Community.
	Type string `json:"type"`
	// Topics are the topic IDs of a topic-enabled Community.
	Topics   []string           `json:"topics,omitempty"`
	Messages []TencentIMMessage `json:"messages,omitempty"`
}

// TencentIMMessage is one message of a group's history.
type TencentIMMessage struct {
	// Seq orders the messages of one stream (the group's own, or one topic's).
	Seq    uint64 `json:"seq"`
	Sender string `json:"sender"`
	Text   string `json:"text,omitempty"`
	// TopicID places the message in a topic; empty means the group's own stream.
	TopicID string `json:"topic_id,omitempty"`
	// Recalled marks a message recalled on the server; members see it when they next pull
	// roaming messages.
	Recalled bool `json:"recalled"`
}

// TencentIMState is the Tencent Cloud IM store, keyed by group ID. Messages are in seq order.
type TencentIMState struct {
	Groups map[string]TencentIMGroup `json:"groups"`
}

// Recalled returns the seqs of a group's recalled messages, in order (nil for no group).
func (s *TencentIMState) Recalled(groupID string) []uint64 {
	var seqs []uint64
	for _, m := range s.Groups[groupID].Messages {
		if m.Recalled {
			seqs = append(seqs, m.Seq)
		}
	}
	return seqs
}

const (
	// tencentRecallWindow is how far back delete_group_msg_by_sender reaches: the last
	// 1,000 messages of the stream. Older ones stay.
	tencentRecallWindow = 1000
	groupTypeAVChatRoom = "AVChatRoom"
)

// Tencent Cloud IM error codes the emulator answers with.
const (
	tcInvalidCommand   = 10003
	tcInvalidParameter = 10004
	tcGroupNotFound    = 10010
	tcBadHTTPRequest   = 60002
	tcBadJSON          = 60003
	tcMissingAccount   = 60004
	tcInvalidAppID     = 60006
	tcTooFrequent      = 60007
	tcNeedAdmin        = 60010
	tcUserSigExpired   = 70001
	tcUserSigMalformed = 70003
	tcUserSigBadKey    = 70009
	tcIdentifierDiffer = 70013
	tcAppIDDiffer      = 70014
)

type tencentimVendor struct {
	emu     *Emulator
	app     *TencentIMFixture
	groups  map[string]*TencentIMGroup
	limiter *rate.Limiter
}

func newTencentIMVendor(e *Emulator) *tencentimVendor { return &tencentimVendor{emu: e} }

func (v *tencentimVendor) name() string { return "tencentim" }

func (v *tencentimVendor) load(f Fixture) {
	v.app = f.TencentIM
	v.groups = map[string]*TencentIMGroup{}
	v.limiter = v.emu.quotaLimiter(tencentim.DefaultRequestsPerSecond)
	if f.TencentIM == nil {
		return
	}
	for _, g := range f.TencentIM.Groups {
		g := copyTencentGroup(g)
		sort.SliceStable(g.Messages, func(i, j int) bool { return g.Messages[i].Seq < g.Messages[j].Seq })
		v.groups[g.GroupID] = &g
	}
}

func (v *tencentimVendor) snapshot(s *Snapshot) {
	if v.app == nil {
		return
	}
	state := &TencentIMState{Groups: map[string]TencentIMGroup{}}
	for id, g := range v.groups {
		state.Groups[id] = copyTencentGroup(*g)
	}
	s.TencentIM = state
}

func copyTencentGroup(g TencentIMGroup) TencentIMGroup {
	g.Topics = slices.Clone(g.Topics)
	g.Messages = slices.Clone(g.Messages)
	return g
}

// tencentAnswer keeps Tencent's field order, so logs look like the real thing.
type tencentAnswer struct {
	ActionStatus string `json:"ActionStatus"`
	ErrorInfo    string `json:"ErrorInfo"`
	ErrorCode    int    `json:"ErrorCode"`
}

// tcFail writes a refusal the way Tencent does: HTTP 200, the verdict in the body.
func tcFail(w http.ResponseWriter, code int, info string) {
	writeJSON(w, http.StatusOK, tencentAnswer{ActionStatus: "FAIL", ErrorInfo: info, ErrorCode: code})
}

func tcOK(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, tencentAnswer{ActionStatus: "OK"})
}

func (v *tencentimVendor) rateLimitAnswer(w http.ResponseWriter) {
	tcFail(w, tcTooFrequent, "REST API call frequency exceeded")
}

func (v *tencentimVendor) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		tcFail(w, tcBadHTTPRequest, "the REST API accepts POST only")
		return
	}
	if !v.authenticate(w, r) {
		return
	}
	if !v.emu.opts.DisableRateLimits && !v.limiter.AllowN(v.emu.opts.Now(), 1) {
		v.rateLimitAnswer(w)
		return
	}
	switch r.URL.Path {
	case "/v4/group_open_http_svc/delete_group_msg_by_sender":
		v.deleteBySender(w, r)
	default:
		tcFail(w, tcInvalidCommand, "invalid command word "+r.URL.Path)
	}
}

// authenticate checks the common query parameters and the UserSig the way Tencent does,
// answering with the code each mistake earns.
func (v *tencentimVendor) authenticate(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	identifier, userSig := q.Get("identifier"), q.Get("usersig")
	if q.Get("contenttype") != "json" {
		tcFail(w, tcBadHTTPRequest, "contenttype must be json")
		return false
	}
	if _, err := strconv.ParseUint(q.Get("random"), 10, 32); err != nil {
		tcFail(w, tcBadHTTPRequest, "random must be an unsigned 32-bit integer")
		return false
	}
	appID, err := strconv.ParseUint(q.Get("sdkappid"), 10, 64)
	if err != nil || v.app == nil || appID != v.app.SDKAppID {
		tcFail(w, tcInvalidAppID, "invalid SDKAppID")
		return false
	}
	if identifier == "" || userSig == "" {
		tcFail(w, tcMissingAccount, "identifier and usersig are required in the URL")
		return false
	}
	if _, err := tencentim.VerifyUserSig(userSig, v.app.SDKAppID, v.app.SecretKey, identifier, v.emu.opts.Now()); err != nil {
		code, info := userSigRefusal(err)
		tcFail(w, code, info)
		return false
	}
	if !slices.Contains(v.app.Admins, identifier) {
		tcFail(w, tcNeedAdmin, "this call needs an app administrator account as identifier")
		return false
	}
	return true
}

// userSigRefusal maps a verification failure to Tencent's code for it.
func userSigRefusal(err error) (int, string) {
	switch {
	case errors.Is(err, tencentim.ErrUserSigExpired):
		return tcUserSigExpired, "UserSig expired; generate a new one"
	case errors.Is(err, tencentim.ErrUserSigBadSignature):
		return tcUserSigBadKey, "UserSig verification failed: it was not signed with this app's key"
	case errors.Is(err, tencentim.ErrUserSigIdentifierMismatch):
		return tcIdentifierDiffer, "identifier does not match the UserSig"
	case errors.Is(err, tencentim.ErrUserSigAppIDMismatch):
		return tcAppIDDiffer, "SDKAppID does not match the UserSig"
	}
	return tcUserSigMalformed, "UserSig is invalid"
}

// deleteBySenderBody uses pointers to tell a missing field from an empty one.
type deleteBySenderBody struct {
	GroupID       *string `json:"GroupId"`
	SenderAccount *string `json:"Sender_Account"`
	TopicID       *string `json:"TopicId"`
}

func (v *tencentimVendor) deleteBySender(w http.ResponseWriter, r *http.Request) {
	var body deleteBySenderBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		tcFail(w, tcBadJSON, "request body is not valid JSON: "+err.Error())
		return
	}
	if body.GroupID == nil || *body.GroupID == "" || body.SenderAccount == nil || *body.SenderAccount == "" {
		tcFail(w, tcInvalidParameter, "GroupId and Sender_Account are required")
		return
	}
	if body.TopicID != nil && *body.TopicID == "" {
		tcFail(w, tcInvalidParameter, "TopicId must not be empty; leave it out for the group itself")
		return
	}
	group, ok := v.groups[*body.GroupID]
	if !ok {
		noteMatched(w, 0)
		tcFail(w, tcGroupNotFound, "group "+*body.GroupID+" does not exist or has been dismissed")
		return
	}
	// Audio-video groups keep no history, so there is nothing to recall; Tencent says OK.
	var recall []int
	if group.Type != groupTypeAVChatRoom {
		var topic string
		if body.TopicID != nil {
			topic = *body.TopicID
			if !slices.Contains(group.Topics, topic) {
				noteMatched(w, 0)
				tcFail(w, tcInvalidParameter, fmt.Sprintf("TopicId %s is not a topic of group %s", topic, group.GroupID))
				return
			}
		}
		recall = recallable(group, topic, *body.SenderAccount)
	}
	noteMatched(w, len(recall))
	if v.emu.opts.Strict && len(recall) == 0 {
		tcFail(w, tcInvalidParameter, strictRefusal("Sender_Account has no message to recall among the last %d of this group or topic", tencentRecallWindow))
		return
	}
	for _, i := range recall {
		group.Messages[i].Recalled = true
	}
	tcOK(w)
}

// recallable returns the positions of sender's messages not yet recalled among the last
// tencentRecallWindow of one stream. Messages are kept in seq order, so the window is the
// stream's tail.
func recallable(group *TencentIMGroup, topic, sender string) []int {
	var stream []int
	for i, m := range group.Messages {
		if m.TopicID == topic {
			stream = append(stream, i)
		}
	}
	var found []int
	for _, i := range stream[max(0, len(stream)-tencentRecallWindow):] {
		if m := group.Messages[i]; m.Sender == sender && !m.Recalled {
			found = append(found, i)
		}
	}
	return found
}
