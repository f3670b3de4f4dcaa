package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// tidyIdentifier matches a value with no leading or trailing white space and no control
// characters. A stray space, or the carriage return of a line read from a Windows file, names a
// different user or group, and the vendors answer success for IDs that do not exist, so the
// run would be recorded as done while nothing was deleted.
var tidyIdentifier = regexp.MustCompile(`^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$`)

// identifier returns the plan-time checks for an ID argument: present, at most maxLength
// characters (0 for no limit), and tidy.
func identifier(maxLength int) []validator.String {
	var length validator.String = stringvalidator.LengthAtLeast(1)
	if maxLength > 0 {
		length = stringvalidator.LengthBetween(1, maxLength)
	}
	return []validator.String{length, stringvalidator.RegexMatches(tidyIdentifier,
		"must not start or end with white space or contain control characters")}
}
