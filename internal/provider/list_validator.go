package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// An entryRule says what is wrong with one entry of a list argument, completing
// "Entry N of ATTRIBUTE ...", or returns "" when nothing is. It never repeats the entry: IDs
// and keys are personal data. The vendor clients apply the same rules before sending.
type entryRule func(entry string) string

// maxReportedEntries bounds how many bad entries a plan names one by one: a list read from a
// file with Windows line ends has every entry wrong, and 100,000 errors help nobody.
const maxReportedEntries = 5

// listEntries returns the validator of a list-of-strings argument: at least one entry, and
// every entry passes every rule. It is written by hand, rather than composed from the
// framework's per-element validators, so that a list of 100,000 IDs is checked in one pass
// without building a path and a request for each entry, and so that a bad entry is named by
// its position, never by its value (message IDs are personal data).
// rule is checked on every entry; describes says, for the documentation, what an entry must be.
func listEntries(describes string, rule entryRule) validator.List {
	return listEntriesValidator{describes: describes, rule: rule}
}

type listEntriesValidator struct {
	describes string
	rule      entryRule
}

func (v listEntriesValidator) Description(context.Context) string {
	return "at least one entry; every entry " + v.describes
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
	return v.rule(entry.ValueString())
}
