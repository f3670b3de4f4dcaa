package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// An entryRule is one plan-time check every entry of a list argument must pass.
type entryRule struct {
	valid func(entry string) bool
	// problem completes "Entry N of ATTRIBUTE ..." when valid says no.
	problem string
}

// entryNotEmpty refuses "", which names no message and no key.
var entryNotEmpty = entryRule{valid: func(entry string) bool { return entry != "" }, problem: "must not be empty"}

// entryMatches refuses entries that do not match pattern.
func entryMatches(pattern *regexp.Regexp, problem string) entryRule {
	return entryRule{valid: pattern.MatchString, problem: problem}
}

// entryTidy is the identifier rule of validators.go, for list entries.
var entryTidy = entryMatches(tidyIdentifier, "must not start or end with white space or contain control characters")

// maxReportedEntries bounds how many bad entries a plan names one by one: a list read from a
// file with Windows line ends has every entry wrong, and 100,000 errors help nobody.
const maxReportedEntries = 5

// listEntries returns the validator of a list-of-strings argument: at least one entry, and
// every entry passes every rule. It is written by hand, rather than composed from the
// framework's per-element validators, so that a list of 100,000 IDs is checked in one pass
// without building a path and a request for each entry, and so that a bad entry is named by
// its position, never by its value (message IDs are personal data).
func listEntries(rules ...entryRule) validator.List {
	return listEntriesValidator{rules: rules}
}

type listEntriesValidator struct {
	rules []entryRule
}

func (v listEntriesValidator) Description(context.Context) string {
	problems := make([]string, len(v.rules))
	for i, rule := range v.rules {
		problems[i] = rule.problem
	}
	return "at least one entry; every entry " + strings.Join(problems, " and ")
}

func (v listEntriesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v listEntriesValidator) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.Path.String()
	elements := req.ConfigValue.Elements()
	if len(elements) == 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name, name+" must list at least one entry.")
		return
	}
	bad := 0
	for i, element := range elements {
		problem := v.check(element)
		if problem == "" {
			continue
		}
		bad++
		if bad <= maxReportedEntries {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid "+name,
				fmt.Sprintf("Entry %s of %s %s.", thousands(i+1), name, problem))
		}
	}
	if bad > maxReportedEntries {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+name,
			fmt.Sprintf("%s entries of %s are invalid in all; the first %d are listed.", thousands(bad), name, maxReportedEntries))
	}
}

// check returns what is wrong with one element, or "" when nothing is. An unknown element
// (from another resource) is checked once it is known.
func (v listEntriesValidator) check(element attr.Value) string {
	entry, ok := element.(basetypes.StringValue)
	switch {
	case !ok:
		return fmt.Sprintf("is a %T, not a string", element)
	case entry.IsUnknown():
		return ""
	case entry.IsNull():
		return "must not be null"
	}
	for _, rule := range v.rules {
		if !rule.valid(entry.ValueString()) {
			return rule.problem
		}
	}
	return ""
}
