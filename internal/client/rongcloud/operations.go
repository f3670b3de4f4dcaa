package rongcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// ConversationType is RongCloud's numeric conversation kind.
type ConversationType int

// Conversation kinds that support message extensions.
const (
	ConversationPrivate ConversationType = 1
	ConversationGroup   ConversationType = 3
)

// ExtensionDelete asks to remove extension keys from one message.
type ExtensionDelete struct {
	MessageUID       string
	UserID           string
	ConversationType ConversationType
	TargetID         string
	ExtraKeys        []string
	SyncSender       bool
}

// DeleteExtensions removes the keys in calls of at most ExtraKeysPerCall, run concurrently
// under the app's rate limit (and the tighter group limit for group conversations). The
// returned progress tells how many calls and keys completed, also on failure.
func (c *Client) DeleteExtensions(ctx context.Context, req ExtensionDelete, onProgress func(client.ChunkProgress)) (client.ChunkProgress, error) {
	if err := req.check(); err != nil {
		return client.ChunkProgress{ItemsTotal: len(req.ExtraKeys)}, err
	}
	var limiters []*client.AdaptiveLimiter
	if req.ConversationType == ConversationGroup {
		limiters = append(limiters, c.groupLimiter)
	}
	return client.RunChunks(ctx, req.ExtraKeys, ExtraKeysPerCall, c.concurrency, func(ctx context.Context, keys []string) error {
		encodedKeys, err := json.Marshal(keys)
		if err != nil {
			return err
		}
		form := url.Values{
			"msgUID":           {req.MessageUID},
			"userId":           {req.UserID},
			"conversationType": {strconv.Itoa(int(req.ConversationType))},
			"targetId":         {req.TargetID},
			"extraKey":         {string(encodedKeys)},
			"isSyncSender":     {boolDigit(req.SyncSender)},
		}
		return c.post(ctx, "delete message extensions", "/message/expansion/delete.json", form, client.RetryTransient, limiters...)
	}, onProgress)
}

// BroadcastRecall asks to recall one broadcast message.
type BroadcastRecall struct {
	FromUserID string
	MessageUID string
	// SentTime is the message's send time in ms; 0 leaves it out.
	SentTime             int64
	IsAdmin              bool
	IsDelete             bool
	Extra                string
	DisableUpdateLastMsg bool
}

// RecallBroadcast recalls a broadcast message. The call's quota is 2 per hour and 3 per day,
// so it is resent only when the request certainly never reached RongCloud.
func (c *Client) RecallBroadcast(ctx context.Context, req BroadcastRecall) error {
	if err := req.check(c.now()); err != nil {
		return err
	}
	form := url.Values{
		"fromUserId":           {req.FromUserID},
		"messageUID":           {req.MessageUID},
		"isAdmin":              {boolDigit(req.IsAdmin)},
		"isDelete":             {boolDigit(req.IsDelete)},
		"disableUpdateLastMsg": {strconv.FormatBool(req.DisableUpdateLastMsg)},
	}
	if req.SentTime != 0 {
		form.Set("sentTime", strconv.FormatInt(req.SentTime, 10))
	}
	if req.Extra != "" {
		form.Set("extra", req.Extra)
	}
	err := c.post(ctx, "recall a broadcast message", "/message/broadcast/recall.json", form, client.RetryOnlyUnsent)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.Code {
		case "1008":
			apiErr.Hint = "broadcast recall is limited to 2 calls per hour and 3 per calendar day for the app; wait for the quota to renew, then apply again"
		case "1002":
			apiErr.Hint = "RongCloud refused the parameters; check from_user_id, message_uid and sent_time against the message history log"
		}
	}
	return err
}

// The checks below run before anything is sent, for callers that did not go through
// Terraform's plan-time validation. Errors name the field, never its value: IDs and keys are
// personal data.

func (req ExtensionDelete) check() error {
	if err := checkIDs(field{"msgUID", req.MessageUID}, field{"userId", req.UserID}, field{"targetId", req.TargetID}); err != nil {
		return err
	}
	if req.ConversationType != ConversationPrivate && req.ConversationType != ConversationGroup {
		return fmt.Errorf("rongcloud: conversationType %d has no message extensions; use %d (one-to-one) or %d (group)",
			req.ConversationType, ConversationPrivate, ConversationGroup)
	}
	for _, key := range req.ExtraKeys {
		if problem := ExtensionKeyProblem(key); problem != "" {
			return fmt.Errorf("rongcloud: one of the %d extension keys %s", len(req.ExtraKeys), problem)
		}
	}
	return nil
}

func (req BroadcastRecall) check(now time.Time) error {
	if err := checkIDs(field{"fromUserId", req.FromUserID}, field{"messageUID", req.MessageUID}); err != nil {
		return err
	}
	if problem := SentTimeProblem(req.SentTime, now); problem != "" {
		return fmt.Errorf("rongcloud: sentTime %d %s", req.SentTime, problem)
	}
	return nil
}

// field is a form field's name and value.
type field struct{ name, value string }

// checkIDs checks each ID field in turn.
func checkIDs(fields ...field) error {
	for _, f := range fields {
		if problem := IDProblem(f.value); problem != "" {
			return fmt.Errorf("rongcloud: %s %s", f.name, problem)
		}
	}
	return nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
