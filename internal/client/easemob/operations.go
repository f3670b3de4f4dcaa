package easemob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// roamingPath is the common root of the one-way roaming deletion calls.
const roamingPath = "/rest/message/roaming"

// DeleteChatMessages deletes message IDs from userID's copy of the one-to-one chat with
// peerUserID; the peer's copy stays. IDs are sent in calls of at most MessageIDsPerCall, run
// concurrently under the app's rate limit. notify syncs the deletion to userID's online
// devices. The returned progress tells how many calls and IDs completed, also on failure.
func (c *Client) DeleteChatMessages(ctx context.Context, userID, peerUserID string, msgIDs []string, notify bool, onProgress func(client.ChunkProgress)) (client.ChunkProgress, error) {
	return c.deleteByID(ctx, "delete one-to-one roaming messages by ID", "chat", userID, "userId", peerUserID, msgIDs, notify, onProgress)
}

// DeleteGroupMessages deletes message IDs from userID's copy of a group conversation; the
// other members' copies stay. Chunked and paced like DeleteChatMessages.
func (c *Client) DeleteGroupMessages(ctx context.Context, userID, groupID string, msgIDs []string, notify bool, onProgress func(client.ChunkProgress)) (client.ChunkProgress, error) {
	return c.deleteByID(ctx, "delete group roaming messages by ID", "group", userID, "groupId", groupID, msgIDs, notify, onProgress)
}

// deleteByID sends msgIDs, MessageIDsPerCall at a time, to
// DELETE {roamingPath}/{conversation}/user/{userID}?{targetParam}={target}&msgIdList=...
func (c *Client) deleteByID(ctx context.Context, operation, conversation, userID, targetParam, target string, msgIDs []string, notify bool, onProgress func(client.ChunkProgress)) (client.ChunkProgress, error) {
	err := checkConversation(userID, targetParam, target)
	if err == nil {
		err = checkMessageIDs(msgIDs)
	}
	if err != nil {
		return client.ChunkProgress{ItemsTotal: len(msgIDs)}, err
	}
	path := roamingPath + "/" + conversation + "/user/" + url.PathEscape(userID)
	return client.RunChunks(ctx, msgIDs, MessageIDsPerCall, c.concurrency, func(ctx context.Context, ids []string) error {
		query := url.Values{targetParam: {target}, "msgIdList": {strings.Join(ids, ",")}, "isNotify": {strconv.FormatBool(notify)}}
		return c.call(ctx, operation, http.MethodDelete, path, query)
	}, onProgress)
}

// ClearAll deletes every roaming message of userID, in all of their conversations, from
// their own copy only; the people they talked with keep theirs.
func (c *Client) ClearAll(ctx context.Context, userID string) error {
	if err := checkUserID("user", userID); err != nil {
		return err
	}
	path := roamingPath + "/user/" + url.PathEscape(userID) + "/delete/all"
	return c.call(ctx, "clear all of a user's roaming messages", http.MethodPost, path, nil)
}

// ClearChatBefore deletes, from userID's copy of the chat with peerUserID, every message sent
// at or before before (millisecond precision); the peer's copy stays.
func (c *Client) ClearChatBefore(ctx context.Context, userID, peerUserID string, before time.Time, notify bool) error {
	return c.clearBefore(ctx, "clear a one-to-one chat's roaming messages up to a time", "chat", userID, "userId", peerUserID, before, notify)
}

// ClearGroupBefore deletes, from userID's copy of a group or chat room conversation, every
// message sent at or before before; the other members' copies stay.
func (c *Client) ClearGroupBefore(ctx context.Context, userID, groupID string, before time.Time, notify bool) error {
	return c.clearBefore(ctx, "clear a group's roaming messages up to a time", "group", userID, "groupId", groupID, before, notify)
}

// clearBefore sends DELETE {roamingPath}/{conversation}/user/{userID}/time?{targetParam}={target}&delTime=...
func (c *Client) clearBefore(ctx context.Context, operation, conversation, userID, targetParam, target string, before time.Time, notify bool) error {
	if err := checkConversation(userID, targetParam, target); err != nil {
		return err
	}
	path := roamingPath + "/" + conversation + "/user/" + url.PathEscape(userID) + "/time"
	query := url.Values{targetParam: {target}, "delTime": {millis(before)}, "isNotify": {strconv.FormatBool(notify)}}
	return c.call(ctx, operation, http.MethodDelete, path, query)
}

// The checks below run before anything is sent, for callers that did not go through
// Terraform's plan-time validation: an ID no Easemob user or message can have would be
// answered "ok" while nothing is deleted. The IDs themselves stay out of the errors: they are
// personal data.

// checkUserID refuses a user ID outside Easemob's rule; role says whose ID it is.
func checkUserID(role, userID string) error {
	if problem := UserIDProblem(userID); problem != "" {
		return fmt.Errorf("easemob: the %s ID %s (%s)", role, problem, UserIDRule)
	}
	return nil
}

// checkConversation checks the owner's user ID and the conversation's other side: the peer's
// user ID for a chat, or a group or chat room ID, which has no published rule beyond not
// being empty (it travels URL-escaped in the query, so it cannot change the route).
func checkConversation(userID, targetParam, target string) error {
	if err := checkUserID("user", userID); err != nil {
		return err
	}
	if targetParam == "userId" {
		return checkUserID("peer user", target)
	}
	if target == "" {
		return errors.New("easemob: the group ID is empty")
	}
	return nil
}

// checkMessageIDs refuses IDs that would not travel as exactly one entry of msgIdList.
func checkMessageIDs(ids []string) error {
	for _, id := range ids {
		if problem := MessageIDProblem(id); problem != "" {
			return fmt.Errorf("easemob: one of the %d message IDs %s", len(ids), problem)
		}
	}
	return nil
}

func millis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}
