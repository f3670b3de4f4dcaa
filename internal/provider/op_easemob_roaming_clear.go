package provider

import (
	"context"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

func easemobRoamingClear() *Operation {
	return &Operation{
		Name:    "easemob_roaming_clear",
		Vendor:  easemob.Vendor,
		Summary: "delete ALL of one user's Easemob roaming messages, in every conversation",
		Description: "**Deletes ALL of `user_id`'s roaming messages, in every one-to-one chat, group and chat room, and this " +
			"cannot be undone.** It calls `POST /rest/message/roaming/user/{user_id}/delete/all`.\n\n" +
			"**What goes:** every message the user could pull from the server, sent or received, up to the moment of the " +
			"call; all their conversations leave their conversation list.\n\n" +
			"**What stays:** the copies of everyone they talked with, in chats, groups and chat rooms alike; the deletion is " +
			"one-way. Messages sent after the call are kept as usual.\n\n" +
			"Meant for requests such as a GDPR erasure of one person's history: take `user_id` from a reviewed variable, never " +
			"from a list or an expression that could widen it.\n\n" +
			"**Not a complete erasure on its own:** everything this person sent stays in the other participants' " +
			"histories. Combine it with the vendor's own steps for deleting the user and their messages, and record both " +
			"in the ticket. The call has no `notify` switch: Easemob's API does not offer one for clearing a whole history.\n\n" + easemobRoamingNote,
		Arguments: []Argument{
			easemobOwnerArg("every roaming message in every conversation"),
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			userID := args.String("user_id")
			return easemobSingleCall(clients, "users", progress, "Easemob: cleared all of the user's roaming messages",
				func(em *easemob.Client) error { return em.ClearAll(ctx, userID) })
		},
	}
}
