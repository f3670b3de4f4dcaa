package provider

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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
	// KindStringList is a list of strings with set semantics: its order never matters and an
	// entry given twice counts once. It is a list rather than a set attribute because Terraform
	// core and the framework handle sets in time quadratic in their size, and bulk arguments
	// hold up to hundreds of thousands of IDs.
	KindStringList
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
	ListValidators   []validator.List
}

// setSemanticsNote ends the description of every KindStringList argument.
const setSemanticsNote = " Order does not matter, and an entry listed more than once is sent once (the plan " +
	"warns how many entries repeat). On the resource, the same entries in another order or with repeats plan no change."

// markdownDescription is the argument's registry documentation on both surfaces.
func (arg Argument) markdownDescription() string {
	if arg.Kind == KindStringList {
		return arg.Description + setSemanticsNote
	}
	return arg.Description
}

// Outcome says what a run did: how many vendor calls it made, and how many items (keys,
// message IDs) they covered. A failed run returns the part that completed.
type Outcome struct {
	CallsDone, CallsTotal int
	ItemsDone, ItemsTotal int
	// ItemNoun names the items in messages ("extension keys", "message IDs").
	ItemNoun string
	// Uncertain marks a failure after which the vendor may have done the work anyway, for
	// calls where running them twice costs something (a scarce quota).
	Uncertain bool
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

// Strings returns a list argument with repeated entries removed, in the order each entry
// first appears.
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

// readArgs reads every declared argument from a plan's or a config's raw value and applies
// defaults. It reads the Terraform value directly rather than through the framework's
// GetAttribute, which converts a list of 100,000 IDs element by element through reflection.
func (op *Operation) readArgs(raw tftypes.Value) (Args, diag.Diagnostics) {
	args := Args{values: map[string]any{}}
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		diags.AddError("Error reading "+op.TypeName(), "The arguments could not be read: "+err.Error())
		return args, diags
	}
	for _, arg := range op.Arguments {
		p := path.Root(arg.Name)
		v, ok := attrs[arg.Name]
		switch {
		case !ok || v.IsNull():
			if arg.Default != nil {
				args.values[arg.Name] = arg.Default
			}
			continue
		case !v.IsFullyKnown():
			diags.AddAttributeError(p, "Value not known", fmt.Sprintf("%s must be known before %s runs.", arg.Name, op.TypeName()))
			continue
		}
		value, err := goValue(arg.Kind, v)
		if err != nil {
			diags.AddAttributeError(p, "Invalid "+arg.Name, err.Error())
			continue
		}
		args.values[arg.Name] = value
	}
	return args, diags
}

// goValue converts a known, non-null Terraform value of an argument to its Go form.
func goValue(kind ArgumentKind, v tftypes.Value) (any, error) {
	switch kind {
	case KindBool:
		var b bool
		err := v.As(&b)
		return b, err
	case KindInt64:
		var n big.Float
		if err := v.As(&n); err != nil {
			return nil, err
		}
		i, accuracy := n.Int64()
		if accuracy != big.Exact {
			return nil, fmt.Errorf("%s is not a whole number that fits in 64 bits", n.String())
		}
		return i, nil
	case KindStringList:
		entries, ok := stringEntries(v)
		if !ok {
			return nil, errors.New("the list holds a null entry")
		}
		return distinct(entries), nil
	default:
		var s string
		err := v.As(&s)
		return s, err
	}
}

// distinct returns entries without repeats, each where it first appears. It reuses entries'
// backing array: the caller owns it.
func distinct(entries []string) []string {
	seen := make(map[string]struct{}, len(entries))
	out := entries[:0]
	for _, entry := range entries {
		if _, repeated := seen[entry]; repeated {
			continue
		}
		seen[entry] = struct{}{}
		out = append(out, entry)
	}
	return out
}

// validate runs each argument's declared validators on a configuration, as the framework
// does for an attribute, converting only the arguments that have validators.
func (op *Operation) validate(ctx context.Context, config tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := config.Raw.As(&attrs); err != nil {
		diags.AddError("Unexpected configuration", "Reading the configuration of "+op.TypeName()+": "+err.Error())
		return diags
	}
	for _, arg := range op.Arguments {
		p := path.Root(arg.Name)
		raw := attrs[arg.Name]
		switch {
		case len(arg.StringValidators) > 0:
			diags.Append(runValidators(ctx, p, raw, types.StringType, arg.StringValidators, func(v validator.String, value types.String) diag.Diagnostics {
				var resp validator.StringResponse
				v.ValidateString(ctx, validator.StringRequest{Path: p, PathExpression: p.Expression(), Config: config, ConfigValue: value}, &resp)
				return resp.Diagnostics
			})...)
		case len(arg.Int64Validators) > 0:
			diags.Append(runValidators(ctx, p, raw, types.Int64Type, arg.Int64Validators, func(v validator.Int64, value types.Int64) diag.Diagnostics {
				var resp validator.Int64Response
				v.ValidateInt64(ctx, validator.Int64Request{Path: p, PathExpression: p.Expression(), Config: config, ConfigValue: value}, &resp)
				return resp.Diagnostics
			})...)
		case len(arg.ListValidators) > 0:
			listType := types.ListType{ElemType: types.StringType}
			diags.Append(runValidators(ctx, p, raw, listType, arg.ListValidators, func(v validator.List, value types.List) diag.Diagnostics {
				var resp validator.ListResponse
				v.ValidateList(ctx, validator.ListRequest{Path: p, PathExpression: p.Expression(), Config: config, ConfigValue: value}, &resp)
				return resp.Diagnostics
			})...)
		}
	}
	return diags
}

// runValidators converts an argument's raw value to its framework type V once and runs each
// validator on it.
func runValidators[Validator any, V attr.Value](ctx context.Context, p path.Path, raw tftypes.Value, typ attr.Type,
	validators []Validator, run func(Validator, V) diag.Diagnostics) diag.Diagnostics {
	var diags diag.Diagnostics
	converted, err := typ.ValueFromTerraform(ctx, raw)
	if err != nil {
		diags.AddAttributeError(p, "Invalid "+p.String(), "The value does not fit the argument's type: "+err.Error())
		return diags
	}
	value, ok := converted.(V)
	if !ok {
		diags.AddAttributeError(p, "Invalid "+p.String(), fmt.Sprintf("The value converts to %T, not %T. This is a bug in the provider.", converted, value))
		return diags
	}
	for _, v := range validators {
		diags.Append(run(v, value)...)
	}
	return diags
}
