package tencentim

import "context"

// deleteBySenderRequest is the body of group_open_http_svc/delete_group_msg_by_sender.
// TopicId is left out entirely when empty: only topic-enabled communities accept it.
type deleteBySenderRequest struct {
	GroupID       string `json:"GroupId"`
	SenderAccount string `json:"Sender_Account"`
	TopicID       string `json:"TopicId,omitempty"`
}

// DeleteGroupMessagesBySender recalls senderAccount's messages among the last 1,000 of a
// group (of one topic, when topicID is not empty). The recall is silent: members see it only
// when they next pull roaming messages. Audio-video groups keep no history, so the call
// succeeds there without changing anything. Recalling twice is harmless, so failed attempts
// are retried like any other call.
func (c *Client) DeleteGroupMessagesBySender(ctx context.Context, groupID, senderAccount, topicID string) error {
	return c.post(ctx, "recall a member's group messages", "group_open_http_svc", "delete_group_msg_by_sender",
		deleteBySenderRequest{GroupID: groupID, SenderAccount: senderAccount, TopicID: topicID})
}
