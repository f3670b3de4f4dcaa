package provider

import (
	"context"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

func easemobRoamingChatDelete() *Operation {
	return &Operation{
		Name:    "easemob_roaming_chat_delete",
		Vendor:  easemob.Vendor,
		Summary: "delete messages by ID from one user's roaming copy of an Easemob one-to-one chat",
		Description: "Deletes messages by ID from one user's server-side (roaming) copy of an Easemob one-to-one chat, through " +
			"`DELETE /rest/message/roaming/chat/user/{user_id}`.\n\n" +
			"**What goes:** the listed messages, for `user_id` only: they can no longer pull them from the server, and with " +
			"`notify` their online devices drop them too. If nothing of the chat is left for them, the chat leaves their " +
			"conversation list.\n\n" +
			"**What stays:** everything else, including `peer_user_id`'s copy of the very same messages; the deletion is one-way.\n\n" +
			"More than 50 IDs are sent as several calls of at most 50, run concurrently within Easemob's limit of 100 calls " +
			"per second per app. " + easemobRoamingNote,
		Arguments: []Argument{
			easemobOwnerArg("the messages"),
			easemobPeerArg(),
			easemobMessageIDsArg("chat"),
			easemobNotifyArg(),
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			const noun = "message IDs"
			em, err := clients.Easemob()
			if err != nil {
				return Outcome{ItemNoun: noun}, err
			}
			done, err := em.DeleteChatMessages(ctx, args.String("user_id"), args.String("peer_user_id"), args.Strings("message_ids"),
				args.Bool("notify"), chunkReporter(easemob.Vendor, "deleted", noun, progress))
			return chunkOutcome(done, noun), err
		},
	}
}
