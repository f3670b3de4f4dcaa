package provider

import (
	"context"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

func easemobRoamingGroupClear() *Operation {
	return &Operation{
		Name:    "easemob_roaming_group_clear",
		Vendor:  easemob.Vendor,
		Summary: "delete one member's roaming copy of an Easemob group or chat room up to a time",
		Description: "Deletes, from one member's server-side (roaming) copy of an Easemob group or chat room, every message " +
			"sent at or before a point in time, through `DELETE /rest/message/roaming/group/user/{user_id}/time`.\n\n" +
			"**What goes:** for `user_id` only, the conversation's messages sent at or before `before`. If nothing of it is " +
			"left for them, it leaves their conversation list.\n\n" +
			"**What stays:** the conversation's later messages, the user's other conversations, and every other member's " +
			"copy; the deletion is one-way and the group or chat room itself is untouched. " + easemobRoamingNote,
		Arguments: []Argument{
			easemobOwnerArg("the conversation's older messages"),
			easemobGroupArg("group or chat room"),
			easemobBeforeArg(),
			easemobNotifyArg(),
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			const noun = "conversations"
			before, err := parseBefore(args)
			if err != nil {
				return Outcome{ItemNoun: noun}, err
			}
			userID, groupID := args.String("user_id"), args.String("group_id")
			line := "Easemob: cleared the user's copy of the conversation up to " + args.String("before")
			return easemobSingleCall(clients, noun, progress, line, func(em *easemob.Client) error {
				return em.ClearGroupBefore(ctx, userID, groupID, before, args.Bool("notify"))
			})
		},
	}
}
