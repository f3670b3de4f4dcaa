package easemob

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what the provider sends as an ID. The plan-time validators and the client's own
// checks before sending share them, so a caller that bypasses plan meets the same rule.
const (
	// MaxUserIDBytes is the longest user ID Easemob registers.
	MaxUserIDBytes = 64
	// MaxMessageIDLength bounds one message ID. Easemob's are numbers of 18 or 19 digits; 64
	// leaves room for any future format while refusing text that is no ID at all.
	MaxMessageIDLength = 64
)

// UserIDRule states Easemob's user-ID rule, for descriptions and error messages.
const UserIDRule = "at most 64 bytes of lowercase letters a-z, digits 0-9, \"_\", \"-\" and \".\""

// UserIDProblem says why id cannot be an Easemob user ID, or returns "" when it can. No user
// can be registered outside UserIDRule, so such an ID names nobody: Easemob would answer "ok"
// and delete nothing, and the run would be recorded as done. Capital letters are refused too,
// although Easemob folds them to lowercase, so that one user is never written two ways.
// The ID itself is left out of the answer: it is personal data.
func UserIDProblem(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > MaxUserIDBytes:
		return fmt.Sprintf("is %d bytes long; the most is %d", len(id), MaxUserIDBytes)
	case id == "." || id == "..":
		// Made of allowed characters, but a URL resolves them to another route.
		return fmt.Sprintf("is %q, which a URL reads as a path step", id)
	}
	hasUpper := false
	for i, r := range id {
		switch {
		case userIDRune(r):
		case r >= 'A' && r <= 'Z':
			hasUpper = true
		default:
			return fmt.Sprintf("holds %s at byte %d", describeRune(r), i+1)
		}
	}
	if hasUpper {
		return "has capital letters; Easemob folds user IDs to lowercase"
	}
	return ""
}

func userIDRune(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '_' || r == '-' || r == '.'
}

// describeRune names a character for a message, spelling out the ones that would be invisible
// or confusing when quoted.
func describeRune(r rune) string {
	switch {
	case r == ' ':
		return "a space"
	case r == '\t':
		return "a tab"
	case r == '\r' || r == '\n':
		return "a line break (a line read from a file may keep its \\r or \\n)"
	case unicode.IsSpace(r) || unicode.IsControl(r):
		return fmt.Sprintf("the control or white-space character %U", r)
	case r > unicode.MaxASCII:
		return fmt.Sprintf("the non-ASCII character %q", r)
	}
	return fmt.Sprintf("%q", r)
}

// MessageIDProblem says why id cannot travel as one entry of the comma-separated msgIdList,
// or returns "" when it can: "a,b" would name two messages where one was meant, and an
// overlong value is no message ID at all. The ID itself is left out of the answer.
func MessageIDProblem(id string) string {
	length := utf8.RuneCountInString(id)
	switch {
	case length == 0:
		return "is empty"
	case length > MaxMessageIDLength:
		return fmt.Sprintf("is %d characters long; Easemob message IDs are numbers of about 19 digits, and the most accepted is %d",
			length, MaxMessageIDLength)
	case strings.ContainsFunc(id, func(r rune) bool { return r == ',' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "holds a comma, white space or a control character, so it is not one message ID"
	}
	return ""
}
