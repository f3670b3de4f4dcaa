package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Helpers for list arguments with set semantics (KindStringList), on raw Terraform values so
// that each is one pass over the list: no framework value, path or request per entry.

// addRepeatWarning says, when repeats > 0, that entries listed more than once are sent once.
// It gives the count and never the entries, which may be personal data.
func addRepeatWarning(diags *diag.Diagnostics, p path.Path, name string, repeats int) {
	if repeats == 0 {
		return
	}
	diags.AddAttributeWarning(p, "Repeated entries in "+name,
		fmt.Sprintf("%s %s of %s %s an earlier one. Each entry is sent once.",
			thousands(repeats), pluralOf(repeats, "entry", "entries"), name, pluralOf(repeats, "repeats", "repeat")))
}

// pluralOf returns one or many to go with n.
func pluralOf(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// topLevelValue returns the attribute name of an object value, or a null value when the
// object is null or has no such attribute. Reading the one attribute this way costs nothing
// however large the others are.
func topLevelValue(object tftypes.Value, name string) tftypes.Value {
	var attrs map[string]tftypes.Value
	if object.IsNull() || !object.IsKnown() || object.As(&attrs) != nil {
		return tftypes.Value{}
	}
	return attrs[name]
}

// stringEntries returns the entries of a list of strings, and whether the list and all its
// entries are known and not null.
func stringEntries(list tftypes.Value) ([]string, bool) {
	if list.Type() == nil || list.IsNull() || !list.IsKnown() {
		return nil, false
	}
	var elems []tftypes.Value
	if list.As(&elems) != nil {
		return nil, false
	}
	entries := make([]string, len(elems))
	for i, elem := range elems {
		if elem.IsNull() || !elem.IsKnown() || elem.As(&entries[i]) != nil {
			return nil, false
		}
	}
	return entries, true
}

// entrySet returns the distinct entries.
func entrySet(entries []string) map[string]struct{} {
	set := make(map[string]struct{}, len(entries))
	for _, entry := range entries {
		set[entry] = struct{}{}
	}
	return set
}

// sameEntries reports whether entries holds exactly the members of set, ignoring order and
// repeats.
func sameEntries(set map[string]struct{}, entries []string) bool {
	seen := make(map[string]struct{}, len(set))
	for _, entry := range entries {
		if _, ok := set[entry]; !ok {
			return false
		}
		seen[entry] = struct{}{}
	}
	return len(seen) == len(set)
}
