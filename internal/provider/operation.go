package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// An Operation is one vendor call, declared once. The resource and action adapters turn the
// same declaration into both Terraform surfaces, so arguments, validators and docs cannot drift
// apart between them.
type Operation struct {
	// Name is the type name without the provider prefix, e.g. "rongcloud_extension_delete".
	Name string
	// Vendor names the platform, for messages.
	Vendor string
	// Summary is one sentence for listings; Description is the full Markdown for the registry.
	Summary     string
	Description string
	// Arguments are the user's inputs, in documentation order.
	Arguments []Argument
	// Run performs the vendor call(s). It reports progress through progress (from any
	// goroutine) and returns what it did, also when it fails part-way.
	Run func(ctx context.Context, clients *Clients, args Args, progress Progress) (Outcome, error)
}

// ArgumentKind is the Terraform type of an argument.
type ArgumentKind int

// The argument types operations use.
const (
	KindString ArgumentKind = iota
	KindBool
	KindInt64
	KindStringSet
)

// Argument declares one input of an operation.
type Argument struct {
	Name        string
	Kind        ArgumentKind
	Required    bool
	Description string
	// Default applies when an optional argument is left out: a bool for KindBool. Resources
	// show it in the plan; actions, whose schemas cannot hold defaults, apply it at invoke.
	Default any
	// Validators run at plan time on both surfaces; use the one matching Kind.
	StringValidators []validator.String
	Int64Validators  []validator.Int64
	SetValidators    []validator.Set
}

// Outcome says what a run did: how many vendor calls it made, and how many items (keys,
// message IDs) they covered. A failed or cancelled run returns the part that completed and
// the part whose outcome is unknown; the rest was not carried out.
type Outcome struct {
	CallsDone, CallsTotal int
	ItemsDone, ItemsTotal int
	// CallsUnknown counts calls that may have taken effect although no success came back (in
	// flight at a cancel, a timeout after sending, a 5xx); ItemsUnknown counts their items.
	// An operation of one call may leave them zero: the adapters judge its error (see settle).
	CallsUnknown, ItemsUnknown int
	// ItemNoun names the items in messages ("extension keys", "message IDs").
	ItemNoun string
}

// Progress receives human-readable progress lines. Implementations must be safe to call from
// any goroutine.
type Progress func(message string)

// TypeName returns the full Terraform type name.
func (op *Operation) TypeName() string { return "imops_" + op.Name }

// Args holds an operation's argument values as plain Go values, defaults applied. A value
// left out (optional, no default) is absent.
type Args struct {
	values map[string]any
}

// String returns a string argument, or "" when absent.
func (a Args) String(name string) string { return get[string](a, name) }

// Bool returns a bool argument, or false when absent.
func (a Args) Bool(name string) bool { return get[bool](a, name) }

// Int64 returns a number argument, or 0 when absent.
func (a Args) Int64(name string) int64 { return get[int64](a, name) }

// Strings returns a set-of-strings argument, sorted so calls are deterministic.
func (a Args) Strings(name string) []string { return get[[]string](a, name) }

// Has reports whether the user gave the argument (or it has a default).
func (a Args) Has(name string) bool {
	_, ok := a.values[name]
	return ok
}

func get[T any](a Args, name string) T {
	var zero T
	v, ok := a.values[name]
	if !ok {
		return zero
	}
	typed, ok := v.(T)
	if !ok {
		// A declaration and its Run disagree: a programming error every test of the
		// operation would hit at once.
		panic(fmt.Sprintf("argument %q holds %T, not %T", name, v, zero))
	}
	return typed
}

// attributeGetter is what tfsdk.Plan and tfsdk.Config have in common.
type attributeGetter interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// readArgs reads every declared argument from a plan or a config and applies defaults.
func (op *Operation) readArgs(ctx context.Context, source attributeGetter) (Args, diag.Diagnostics) {
	args := Args{values: map[string]any{}}
	var diags diag.Diagnostics
	for _, arg := range op.Arguments {
		p := path.Root(arg.Name)
		var (
			value   any
			null    bool
			unknown bool
		)
		switch arg.Kind {
		case KindString:
			var v types.String
			diags.Append(source.GetAttribute(ctx, p, &v)...)
			value, null, unknown = v.ValueString(), v.IsNull(), v.IsUnknown()
		case KindBool:
			var v types.Bool
			diags.Append(source.GetAttribute(ctx, p, &v)...)
			value, null, unknown = v.ValueBool(), v.IsNull(), v.IsUnknown()
		case KindInt64:
			var v types.Int64
			diags.Append(source.GetAttribute(ctx, p, &v)...)
			value, null, unknown = v.ValueInt64(), v.IsNull(), v.IsUnknown()
		case KindStringSet:
			var v types.Set
			diags.Append(source.GetAttribute(ctx, p, &v)...)
			null, unknown = v.IsNull(), v.IsUnknown()
			if !null && !unknown {
				var items []string
				diags.Append(v.ElementsAs(ctx, &items, false)...)
				sort.Strings(items)
				value = items
			}
		}
		if diags.HasError() {
			return args, diags
		}
		switch {
		case unknown:
			diags.AddAttributeError(p, "Value not known", fmt.Sprintf("%s must be known before %s runs.", arg.Name, op.TypeName()))
		case !null:
			args.values[arg.Name] = value
		case arg.Default != nil:
			args.values[arg.Name] = arg.Default
		}
	}
	return args, diags
}
