package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// tidyIdentifier matches a value with no leading or trailing white space and no control
// characters. A stray space, or the carriage return of a line read from a Windows file, names a
// different user or group, and the vendors answer success for IDs that do not exist, so the
// run would be recorded as done while nothing was deleted.
var tidyIdentifier = regexp.MustCompile(`^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$`)

// untidyProblem is the message of the tidyIdentifier check.
const untidyProblem = "must not start or end with white space or contain control characters"

// identifier returns the plan-time check for an ID argument: present, at most maxLength
// characters (0 for no limit), and tidy. Its messages, like every check here, never repeat
// the value: IDs are personal data, and Terraform shows the offending line beside the error.
func identifier(maxLength int) []validator.String {
	rule := "a non-empty ID without leading or trailing white space or control characters"
	if maxLength > 0 {
		rule += fmt.Sprintf(", of at most %d characters", maxLength)
	}
	return []validator.String{problemValidator{summary: "Invalid identifier", rule: rule, problem: identifierProblem(maxLength)}}
}

// identifierProblem returns the check behind identifier(maxLength).
func identifierProblem(maxLength int) func(string) string {
	return func(id string) string { return idProblem(id, maxLength) }
}

// idProblem says why id cannot be an ID of at most maxLength characters (0 for no limit), or
// returns "" when it can.
func idProblem(id string, maxLength int) string {
	switch length := utf8.RuneCountInString(id); {
	case length == 0:
		return "is empty"
	case maxLength > 0 && length > maxLength:
		return fmt.Sprintf("is %d characters long; the most is %d", length, maxLength)
	case !tidyIdentifier.MatchString(id):
		return untidyProblem
	}
	return ""
}

// problemValidator turns a check that names what is wrong with a value ("" when nothing is)
// into a plan-time validator, so the rule a vendor client enforces before sending and the
// one Terraform shows at plan are the same function.
type problemValidator struct {
	// summary heads the diagnostic ("Invalid Easemob user ID").
	summary string
	// rule describes a valid value, for the schema's validator descriptions.
	rule    string
	problem func(string) string
}

func (v problemValidator) Description(context.Context) string { return v.rule }

func (v problemValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v problemValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := v.problem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s %s.", req.Path, problem))
	}
}

// easemobUserID is the plan-time check of an Easemob user_id or peer_user_id.
func easemobUserID() validator.String {
	return problemValidator{summary: "Invalid Easemob user ID", rule: "an Easemob user ID: " + easemob.UserIDRule,
		problem: easemobUserIDProblem}
}

// easemobUserIDProblem is easemob.UserIDProblem with advice: an ID whose only fault is capital
// letters is answered with the advice to write it in lowercase. Easemob would fold it itself,
// but then the same user could be recorded in state under two spellings. The ID itself stays
// out of the message (personal data); Terraform shows the offending line beside the error.
func easemobUserIDProblem(id string) string {
	problem := easemob.UserIDProblem(id)
	if problem == "" {
		return ""
	}
	// ASCII only: strings.ToLower maps some non-ASCII letters (the Kelvin sign) onto a-z.
	if lower := strings.ToLower(id); lower != id && isASCII(id) && easemob.UserIDProblem(lower) == "" {
		return "has capital letters; Easemob folds user IDs to lowercase, so write it in lowercase instead, " +
			"which keeps every record naming this user the same way"
	}
	return fmt.Sprintf("%s. Easemob user IDs are %s, so no user can have this one: Easemob would answer \"ok\" "+
		"and delete nothing", problem, easemob.UserIDRule)
}

func isASCII(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r > unicode.MaxASCII })
}

// sentTime is the plan-time check of a RongCloud broadcast's sent_time, the same one the
// client makes before sending.
type sentTime struct{}

func (sentTime) Description(context.Context) string {
	return fmt.Sprintf("milliseconds since the epoch, not after %s from now", rongcloud.SentTimeClockSkew)
}

func (v sentTime) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (sentTime) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueInt64()
	if problem := rongcloud.SentTimeProblem(value, time.Now()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid sent_time", fmt.Sprintf("%s %d %s.", req.Path, value, problem))
	}
}
