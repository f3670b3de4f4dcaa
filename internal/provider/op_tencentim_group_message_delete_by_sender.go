package provider

import (
	"context"

	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

func tencentimGroupMessageDeleteBySender() *Operation {
	return &Operation{
		Name:    "tencentim_group_message_delete_by_sender",
		Vendor:  tencentim.Vendor,
		Summary: "recall a member's recent messages in a Tencent Cloud IM group",
		Description: "Recalls every message one member sent among the **last 1,000 messages** of a group (or of one " +
			"topic of a community), through `group_open_http_svc/delete_group_msg_by_sender`. Messages older " +
			"than those 1,000 are not touched, so run it soon after the spam or the leak; this provider has no call that " +
			"reaches further back (Tencent's per-message recall needs each message's sequence number).\n\n" +
			"The recall is **silent**: Tencent marks the messages as recalled on the server and does not notify " +
			"anyone; members' apps learn of it the next time they pull roaming messages.\n\n" +
			"Audio-video groups (`AVChatRoom`) keep no message history, so for them the call succeeds and " +
			"changes nothing.\n\n" +
			"Destroying the resource only forgets that the recall ran; recalled messages cannot be restored.",
		Arguments: []Argument{
			{Name: "group_id", Kind: KindString, Required: true,
				Description:      "ID of the group, e.g. `@TGS#2C5SZEAEF` (`GroupId`).",
				StringValidators: identifier(0)},
			{Name: "sender_account", Kind: KindString, Required: true,
				Description:      "User ID whose messages are recalled (`Sender_Account`).",
				StringValidators: identifier(0)},
			{Name: "topic_id", Kind: KindString,
				Description: "Topic of a topic-enabled community to recall in (`TopicId`). Leave it out for the group " +
					"itself and for every other kind of group.",
				StringValidators: identifier(0)},
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			outcome := Outcome{CallsTotal: 1, ItemsTotal: 1, ItemNoun: "senders"}
			im, err := clients.TencentIM()
			if err != nil {
				return outcome, err
			}
			groupID, sender := args.String("group_id"), args.String("sender_account")
			if err := im.DeleteGroupMessagesBySender(ctx, groupID, sender, args.String("topic_id")); err != nil {
				return outcome, err
			}
			outcome.CallsDone, outcome.ItemsDone = 1, 1
			if progress != nil {
				progress(tencentim.Vendor + ": recalled the sender's recent messages in the group")
			}
			return outcome, nil
		},
	}
}
