package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// The arguments the five Easemob roaming operations share, declared once so their wording and
// validation cannot drift apart between operations.

// singleMessageID matches a value that travels as exactly one entry of msgIdList.
var singleMessageID = regexp.MustCompile(`^[^,\s]+$`)

// easemobRoamingNote ends every roaming operation's description.
const easemobRoamingNote = "Requires message roaming to be enabled for the app in the Easemob console; " +
	"otherwise Easemob refuses the call with `service open exception`."

func easemobOwnerArg(whatGoes string) Argument {
	return Argument{Name: "user_id", Kind: KindString, Required: true,
		Description: "User ID of the owner whose roaming copy loses " + whatGoes + " (the `{userId}` path segment). " +
			"Only this user's copy changes.",
		// "." and ".." would resolve to another route in the URL.
		StringValidators: append(identifier(0), stringvalidator.NoneOf(".", ".."))}
}

func easemobPeerArg() Argument {
	return Argument{Name: "peer_user_id", Kind: KindString, Required: true,
		Description:      "User ID of the other person in the one-to-one chat (`userId` query parameter). Their copy of the chat stays as it is.",
		StringValidators: identifier(0)}
}

func easemobGroupArg(what string) Argument {
	return Argument{Name: "group_id", Kind: KindString, Required: true,
		Description:      "ID of the " + what + " (`groupId`). The other members' copies stay as they are.",
		StringValidators: identifier(0)}
}

func easemobMessageIDsArg(conversation string) Argument {
	return Argument{Name: "message_ids", Kind: KindStringList, Required: true,
		Description: fmt.Sprintf("IDs of messages in this %s to delete (at least one), sent %d per call as the "+
			"comma-separated `msgIdList`, so an ID may not contain a comma or white space. List only IDs from this "+
			"%s.", conversation, easemob.MessageIDsPerCall, conversation),
		// A comma inside one ID would name two messages to Easemob.
		ListValidators: []validator.List{listEntries(entryNotEmpty,
			entryMatches(singleMessageID, "must be one message ID, without commas or white space"))}}
}

func easemobNotifyArg() Argument {
	return Argument{Name: "notify", Kind: KindBool, Default: true,
		Description: "Whether the owner's online devices are told of the deletion and drop the messages locally too (`isNotify`). Default `true`."}
}

func easemobBeforeArg() Argument {
	return Argument{Name: "before", Kind: KindString, Required: true,
		Description: "RFC 3339 timestamp, such as `2024-05-01T00:00:00Z` or `2024-05-01T08:00:00.250+08:00`: messages sent at or " +
			"before it are deleted, later ones stay. Sent as `delTime` in milliseconds, so finer fractions are dropped.",
		StringValidators: []validator.String{rfc3339Validator{}}}
}

// parseBefore converts the validated `before` argument for the client.
func parseBefore(args Args) (time.Time, error) {
	before, err := time.Parse(time.RFC3339Nano, args.String("before"))
	if err != nil {
		return time.Time{}, fmt.Errorf("before: %w", err)
	}
	return before, nil
}

// easemobSingleCall runs an operation that is one vendor call, and reports it as such.
func easemobSingleCall(clients *Clients, noun string, progress Progress, doneLine string, call func(*easemob.Client) error) (Outcome, error) {
	outcome := Outcome{CallsTotal: 1, ItemsTotal: 1, ItemNoun: noun}
	em, err := clients.Easemob()
	if err != nil {
		return outcome, err
	}
	if err := call(em); err != nil {
		return outcome, err
	}
	outcome.CallsDone, outcome.ItemsDone = 1, 1
	if progress != nil {
		progress(doneLine)
	}
	return outcome, nil
}

// rfc3339Validator refuses timestamps that do not parse, at plan time rather than at the
// vendor, and instants before 1970 that Easemob's millisecond delTime cannot express.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "an RFC 3339 timestamp such as 2024-05-01T00:00:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	t, err := time.Parse(time.RFC3339Nano, raw)
	switch {
	case err != nil && localTimestamp(raw):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%q has no time zone: add Z for UTC or an offset such as +08:00, so the cut-off cannot shift by hours.", raw))
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%q is not an RFC 3339 timestamp such as 2024-05-01T00:00:00Z or 2024-05-01T08:00:00.250+08:00.", raw))
	case t.Before(time.Unix(0, 0)):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid timestamp",
			fmt.Sprintf("%q is before 1970-01-01T00:00:00Z, which Easemob's delTime cannot express.", raw))
	case t.After(time.Now()):
		resp.Diagnostics.AddAttributeWarning(req.Path, "Cut-off in the future",
			fmt.Sprintf("%q is in the future, so every message of the conversation sent until the run is deleted. "+
				"Check that this is meant.", raw))
	}
}

// localTimestamp reports whether raw would parse as RFC 3339 if it named a time zone.
func localTimestamp(raw string) bool {
	_, err := time.Parse("2006-01-02T15:04:05.999999999", raw)
	return err == nil
}
