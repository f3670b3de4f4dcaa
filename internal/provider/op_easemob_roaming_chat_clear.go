package provider

import (
	"context"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

func easemobRoamingChatClear() *Operation {
	return &Operation{
		Name:    "easemob_roaming_chat_clear",
		Vendor:  easemob.Vendor,
		Summary: "delete one user's roaming copy of an Easemob one-to-one chat up to a time",
		Description: "Deletes, from one user's server-side (roaming) copy of an Easemob one-to-one chat, every message sent at " +
			"or before a point in time, through `DELETE /rest/message/roaming/chat/user/{user_id}/time`.\n\n" +
			"**What goes:** for `user_id` only, the chat's messages sent at or before `before`. If nothing of the chat is " +
			"left for them, it leaves their conversation list.\n\n" +
			"**What stays:** the chat's later messages, the user's other conversations, and all of `peer_user_id`'s copy; " +
			"the deletion is one-way. " + easemobRoamingNote,
		Arguments: []Argument{
			easemobOwnerArg("the chat's older messages"),
			easemobPeerArg(),
			easemobBeforeArg(),
			easemobNotifyArg(),
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			const noun = "conversations"
			before, err := parseBefore(args)
			if err != nil {
				return Outcome{ItemNoun: noun}, err
			}
			userID, peer := args.String("user_id"), args.String("peer_user_id")
			line := "Easemob: cleared the user's copy of the one-to-one chat up to " + args.String("before")
			return easemobSingleCall(clients, noun, progress, line, func(em *easemob.Client) error {
				return em.ClearChatBefore(ctx, userID, peer, before, args.Bool("notify"))
			})
		},
	}
}
