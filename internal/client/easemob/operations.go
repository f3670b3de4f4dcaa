package easemob

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

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
	segment, err := userSegment(userID)
	if err == nil {
		err = checkMessageIDs(msgIDs)
	}
	if err != nil {
		return client.ChunkProgress{ItemsTotal: len(msgIDs)}, err
	}
	path := roamingPath + "/" + conversation + "/user/" + segment
	return client.RunChunks(ctx, msgIDs, MessageIDsPerCall, c.concurrency, func(ctx context.Context, ids []string) error {
		query := url.Values{targetParam: {target}, "msgIdList": {strings.Join(ids, ",")}, "isNotify": {strconv.FormatBool(notify)}}
		return c.call(ctx, operation, http.MethodDelete, path, query)
	}, onProgress)
}

// ClearAll deletes every roaming message of userID, in all of their conversations, from
// their own copy only; the people they talked with keep theirs.
func (c *Client) ClearAll(ctx context.Context, userID string) error {
	segment, err := userSegment(userID)
	if err != nil {
		return err
	}
	path := roamingPath + "/user/" + segment + "/delete/all"
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
	segment, err := userSegment(userID)
	if err != nil {
		return err
	}
	path := roamingPath + "/" + conversation + "/user/" + segment + "/time"
	query := url.Values{targetParam: {target}, "delTime": {millis(before)}, "isNotify": {strconv.FormatBool(notify)}}
	return c.call(ctx, operation, http.MethodDelete, path, query)
}

// userSegment escapes a user ID as one path segment. "." and ".." are refused: a URL resolves
// them to another route, so the call would go somewhere the user did not name.
func userSegment(userID string) (string, error) {
	if userID == "" || userID == "." || userID == ".." {
		return "", fmt.Errorf("easemob: %q is not a user ID this API can address", userID)
	}
	return url.PathEscape(userID), nil
}

// checkMessageIDs refuses IDs that would not travel as exactly one entry of the
// comma-separated msgIdList: "a,b" would delete two messages where one was named.
func checkMessageIDs(ids []string) error {
	for _, id := range ids {
		if id == "" || strings.ContainsFunc(id, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			return fmt.Errorf("easemob: message ID %q is empty or holds a comma or white space", id)
		}
	}
	return nil
}

func millis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}
