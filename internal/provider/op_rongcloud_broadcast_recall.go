package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

func rongcloudBroadcastRecall() *Operation {
	return &Operation{
		Name:    "rongcloud_broadcast_recall",
		Vendor:  rongcloud.Vendor,
		Summary: "recall a RongCloud broadcast message",
		Description: "Recalls a message that was broadcast to all users (or pushed by tag or package name), through " +
			"`POST /message/broadcast/recall.json`. Clients remove the message and, unless `is_delete` is set, show " +
			"a \"message recalled\" notice in its place.\n\n" +
			"**Quota:** RongCloud allows this call only **2 times per hour and 3 times per calendar day** per app. " +
			"The provider therefore never resends it after a timeout or a server error, only when RongCloud certainly " +
			"did not act: the request never reached it (connection refused, name not resolved), or it refused the call " +
			"as rate-limited (HTTP 429, code 1008).",
		Arguments: []Argument{
			{Name: "from_user_id", Kind: KindString, Required: true,
				Description:      "User ID that sent the broadcast (`fromUserId`).",
				StringValidators: identifier(rongcloud.MaxIDLength)},
			{Name: "message_uid", Kind: KindString, Required: true,
				Description:      "Unique ID of the broadcast message (`messageUID`; `msgUID` in the message history log).",
				StringValidators: identifier(rongcloud.MaxIDLength)},
			{Name: "sent_time", Kind: KindInt64,
				Description: "When the message was sent, in milliseconds since the epoch (`sentTime`; `dateTime` in the message " +
					"history log). Give it whenever you know it: RongCloud's Chinese documentation marks it required, so a call " +
					"without it may be refused with code 1002. A time more than 5 minutes ahead of this machine's clock (the " +
					"margin allows for clocks that disagree), or before the year 2000 (a time in seconds, not milliseconds), is " +
					"refused at plan time: the recall would be refused and still count against the app's 2 recalls an hour.",
				Int64Validators: []validator.Int64{int64validator.AtLeast(1), sentTime{}}},
			{Name: "is_admin", Kind: KindBool, Default: false,
				Description: "Whether the sender is an administrator (`isAdmin`). Default `false`."},
			{Name: "is_delete", Kind: KindBool, Default: false,
				Description: "Delete the message without leaving a \"message recalled\" notice (`isDelete`). Default `false`."},
			{Name: "extra", Kind: KindString,
				Description:      "Free-form data carried by the recall message (`extra`).",
				StringValidators: []validator.String{stringvalidator.LengthAtLeast(1)}},
			{Name: "disable_update_last_message", Kind: KindBool, Default: false,
				Description: "Keep the conversation list's last-message preview as it is (`disableUpdateLastMsg`); applies to messages stored on the client. Default `false`."},
		},
		Run: func(ctx context.Context, clients *Clients, args Args, _ Progress) (Outcome, error) {
			outcome := Outcome{CallsTotal: 1, ItemsTotal: 1, ItemNoun: "messages"}
			rc, err := clients.RongCloud()
			if err != nil {
				return outcome, err
			}
			err = rc.RecallBroadcast(ctx, rongcloud.BroadcastRecall{
				FromUserID:           args.String("from_user_id"),
				MessageUID:           args.String("message_uid"),
				SentTime:             args.Int64("sent_time"),
				IsAdmin:              args.Bool("is_admin"),
				IsDelete:             args.Bool("is_delete"),
				Extra:                args.String("extra"),
				DisableUpdateLastMsg: args.Bool("disable_update_last_message"),
			})
			if err == nil {
				outcome.CallsDone, outcome.ItemsDone = 1, 1
			}
			return outcome, err
		},
	}
}
