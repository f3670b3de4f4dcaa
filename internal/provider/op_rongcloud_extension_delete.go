package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// conversationTypes maps the user-facing names to RongCloud's codes.
var conversationTypes = map[string]rongcloud.ConversationType{
	"private": rongcloud.ConversationPrivate,
	"group":   rongcloud.ConversationGroup,
}

func rongcloudExtensionDelete() *Operation {
	return &Operation{
		Name:    "rongcloud_extension_delete",
		Vendor:  rongcloud.Vendor,
		Summary: "delete extension keys from a RongCloud one-to-one or group message",
		Description: "Deletes extension keys (the key/value data attached to a sent message) from one RongCloud " +
			"one-to-one or group message, through `POST /message/expansion/delete.json`.\n\n" +
			"Only the listed keys are removed; the message and its other keys stay. More than 100 keys are " +
			"sent as several calls of at most 100, run concurrently within RongCloud's limit of 100 calls per " +
			"second per app, of which at most 20 per second for group conversations.",
		Arguments: []Argument{
			{Name: "message_uid", Kind: KindString, Required: true,
				Description:      "Unique ID (`msgUID`) of the message whose extensions are deleted, as given by the post-messaging callback.",
				StringValidators: identifier(rongcloud.MaxIDLength)},
			{Name: "user_id", Kind: KindString, Required: true,
				Description:      "User ID of the operator on whose behalf the keys are deleted (`userId`).",
				StringValidators: identifier(rongcloud.MaxIDLength)},
			{Name: "conversation_type", Kind: KindString, Required: true,
				Description:      "Kind of conversation the message belongs to: `private` (one-to-one) or `group`.",
				StringValidators: []validator.String{stringvalidator.OneOf("private", "group")}},
			{Name: "target_id", Kind: KindString, Required: true,
				Description:      "The conversation's target (`targetId`): the other user for `private`, the group ID for `group`.",
				StringValidators: identifier(rongcloud.MaxIDLength)},
			{Name: "extra_keys", Kind: KindStringList, Required: true,
				Description: fmt.Sprintf("Extension keys to delete (at least one), each at most %d characters. Sent %d per call.",
					rongcloud.MaxExtensionKeyLength, rongcloud.ExtraKeysPerCall),
				ListValidators: []validator.List{listEntries(
					fmt.Sprintf("is an extension key of at most %d characters, with no white space at either end and no control characters",
						rongcloud.MaxExtensionKeyLength),
					rongcloudExtensionKeyProblem)}},
			{Name: "sync_sender", Kind: KindBool, Default: false,
				Description: "Whether the operator's own clients receive the extension-change message (`isSyncSender`). Default `false`."},
		},
		Run: func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error) {
			const noun = "extension keys"
			rc, err := clients.RongCloud()
			if err != nil {
				return Outcome{ItemNoun: noun}, err
			}
			done, err := rc.DeleteExtensions(ctx, rongcloud.ExtensionDelete{
				MessageUID:       args.String("message_uid"),
				UserID:           args.String("user_id"),
				ConversationType: conversationTypes[args.String("conversation_type")],
				TargetID:         args.String("target_id"),
				ExtraKeys:        args.Strings("extra_keys"),
				SyncSender:       args.Bool("sync_sender"),
			}, chunkReporter(rongcloud.Vendor, "deleted", noun, progress))
			return chunkOutcome(done, noun), err
		},
	}
}
