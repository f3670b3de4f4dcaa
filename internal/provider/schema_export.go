package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// ProviderAddress is the provider's registry address. `terraform providers schema -json` keys
// a provider's schemas by it.
const ProviderAddress = "registry.terraform.io/imops/imops"

// ExportSchemas returns the provider's schemas in the JSON format of
// `terraform providers schema -json` (format version 1.0), keyed by address. It asks the
// provider's own protocol-6 server rather than a Terraform binary, because Terraform before
// 1.14 leaves action schemas out of its export and the registry docs need them.
func ExportSchemas(ctx context.Context, version, address string) ([]byte, error) {
	server, err := providerserver.NewProtocol6WithError(New(version)())()
	if err != nil {
		return nil, fmt.Errorf("starting the provider server: %w", err)
	}
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	var problems []string
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			problems = append(problems, d.Summary+": "+d.Detail)
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("GetProviderSchema: %s", strings.Join(problems, "; "))
	}
	// Kinds the exporter does not render would vanish from the docs without a word.
	if n := len(resp.Functions) + len(resp.EphemeralResourceSchemas) + len(resp.ListResourceSchemas) + len(resp.StateStoreSchemas); n > 0 {
		return nil, errors.New("the provider now has functions, ephemeral resources, list resources or state stores; teach schema_export.go to render them")
	}

	out := jsonProviderSchema{
		ResourceSchemas:   map[string]*jsonSchema{},
		DataSourceSchemas: map[string]*jsonSchema{},
		ActionSchemas:     map[string]*jsonActionSchema{},
	}
	if out.Provider, err = exportSchema(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for name, schema := range resp.ResourceSchemas {
		if out.ResourceSchemas[name], err = exportSchema(schema); err != nil {
			return nil, fmt.Errorf("resource %s: %w", name, err)
		}
	}
	for name, schema := range resp.DataSourceSchemas {
		if out.DataSourceSchemas[name], err = exportSchema(schema); err != nil {
			return nil, fmt.Errorf("data source %s: %w", name, err)
		}
	}
	for name, schema := range resp.ActionSchemas {
		block, err := exportBlock(schema.Schema.Block)
		if err != nil {
			return nil, fmt.Errorf("action %s: %w", name, err)
		}
		out.ActionSchemas[name] = &jsonActionSchema{Block: block}
	}
	return json.MarshalIndent(jsonProviderSchemas{
		FormatVersion: "1.0",
		Schemas:       map[string]jsonProviderSchema{address: out},
	}, "", "  ")
}

// The json* types follow Terraform's own encoding (internal/command/jsonprovider), which is
// what terraform-json, and so tfplugindocs, reads.

type jsonProviderSchemas struct {
	FormatVersion string                        `json:"format_version"`
	Schemas       map[string]jsonProviderSchema `json:"provider_schemas"`
}

type jsonProviderSchema struct {
	Provider          *jsonSchema                  `json:"provider"`
	ResourceSchemas   map[string]*jsonSchema       `json:"resource_schemas"`
	DataSourceSchemas map[string]*jsonSchema       `json:"data_source_schemas"`
	ActionSchemas     map[string]*jsonActionSchema `json:"action_schemas"`
}

type jsonSchema struct {
	Version int64      `json:"version"`
	Block   *jsonBlock `json:"block"`
}

type jsonActionSchema struct {
	Block *jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes      map[string]*jsonAttribute `json:"attributes,omitempty"`
	BlockTypes      map[string]*jsonBlockType `json:"block_types,omitempty"`
	Description     string                    `json:"description,omitempty"`
	DescriptionKind string                    `json:"description_kind"`
	Deprecated      bool                      `json:"deprecated,omitempty"`
}

type jsonAttribute struct {
	// Type is the cty type in its JSON form: "string", ["set","string"], ["object",{...}].
	Type            any    `json:"type"`
	Description     string `json:"description,omitempty"`
	DescriptionKind string `json:"description_kind"`
	Deprecated      bool   `json:"deprecated,omitempty"`
	Required        bool   `json:"required,omitempty"`
	Optional        bool   `json:"optional,omitempty"`
	Computed        bool   `json:"computed,omitempty"`
	Sensitive       bool   `json:"sensitive,omitempty"`
	WriteOnly       bool   `json:"write_only,omitempty"`
}

type jsonBlockType struct {
	NestingMode string     `json:"nesting_mode"`
	Block       *jsonBlock `json:"block"`
	MinItems    int64      `json:"min_items,omitempty"`
	MaxItems    int64      `json:"max_items,omitempty"`
}

func exportSchema(schema *tfprotov6.Schema) (*jsonSchema, error) {
	if schema == nil {
		return nil, errors.New("no schema")
	}
	block, err := exportBlock(schema.Block)
	if err != nil {
		return nil, err
	}
	return &jsonSchema{Version: schema.Version, Block: block}, nil
}

func exportBlock(block *tfprotov6.SchemaBlock) (*jsonBlock, error) {
	if block == nil {
		return nil, errors.New("no block")
	}
	out := &jsonBlock{
		Description:     block.Description,
		DescriptionKind: descriptionKind(block.DescriptionKind),
		Deprecated:      block.Deprecated,
	}
	for _, attr := range block.Attributes {
		if attr.NestedType != nil {
			return nil, fmt.Errorf("attribute %s: nested attribute types are not exported yet", attr.Name)
		}
		typeJSON, err := ctyTypeJSON(attr.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", attr.Name, err)
		}
		if out.Attributes == nil {
			out.Attributes = map[string]*jsonAttribute{}
		}
		out.Attributes[attr.Name] = &jsonAttribute{
			Type:            typeJSON,
			Description:     attr.Description,
			DescriptionKind: descriptionKind(attr.DescriptionKind),
			Deprecated:      attr.Deprecated,
			Required:        attr.Required,
			Optional:        attr.Optional,
			Computed:        attr.Computed,
			Sensitive:       attr.Sensitive,
			WriteOnly:       attr.WriteOnly,
		}
	}
	for _, nested := range block.BlockTypes {
		mode, ok := nestingModes[nested.Nesting]
		if !ok {
			return nil, fmt.Errorf("block %s: unknown nesting mode %v", nested.TypeName, nested.Nesting)
		}
		inner, err := exportBlock(nested.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nested.TypeName, err)
		}
		if out.BlockTypes == nil {
			out.BlockTypes = map[string]*jsonBlockType{}
		}
		out.BlockTypes[nested.TypeName] = &jsonBlockType{NestingMode: mode, Block: inner, MinItems: nested.MinItems, MaxItems: nested.MaxItems}
	}
	return out, nil
}

var nestingModes = map[tfprotov6.SchemaNestedBlockNestingMode]string{
	tfprotov6.SchemaNestedBlockNestingModeSingle: "single",
	tfprotov6.SchemaNestedBlockNestingModeGroup:  "group",
	tfprotov6.SchemaNestedBlockNestingModeList:   "list",
	tfprotov6.SchemaNestedBlockNestingModeSet:    "set",
	tfprotov6.SchemaNestedBlockNestingModeMap:    "map",
}

func descriptionKind(kind tfprotov6.StringKind) string {
	if kind == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

// ctyTypeJSON writes a type the way cty's JSON encoding does, which is what Terraform puts in
// its export. (tftypes can write it too, but reserves that for terraform-plugin-go itself.)
func ctyTypeJSON(typ tftypes.Type) (any, error) {
	switch typed := typ.(type) {
	case tftypes.List:
		return collectionTypeJSON("list", typed.ElementType)
	case tftypes.Set:
		return collectionTypeJSON("set", typed.ElementType)
	case tftypes.Map:
		return collectionTypeJSON("map", typed.ElementType)
	case tftypes.Object:
		attrs := map[string]any{}
		for name, attrType := range typed.AttributeTypes {
			attrJSON, err := ctyTypeJSON(attrType)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			attrs[name] = attrJSON
		}
		if len(typed.OptionalAttributes) == 0 {
			return []any{"object", attrs}, nil
		}
		optional := make([]string, 0, len(typed.OptionalAttributes))
		for name := range typed.OptionalAttributes {
			optional = append(optional, name)
		}
		sort.Strings(optional)
		return []any{"object", attrs, optional}, nil
	case tftypes.Tuple:
		elems := make([]any, 0, len(typed.ElementTypes))
		for i, elemType := range typed.ElementTypes {
			elemJSON, err := ctyTypeJSON(elemType)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			elems = append(elems, elemJSON)
		}
		return []any{"tuple", elems}, nil
	}
	for _, primitive := range []struct {
		typ  tftypes.Type
		name string
	}{{tftypes.String, "string"}, {tftypes.Number, "number"}, {tftypes.Bool, "bool"}, {tftypes.DynamicPseudoType, "dynamic"}} {
		if typ.Is(primitive.typ) {
			return primitive.name, nil
		}
	}
	return nil, fmt.Errorf("no JSON form for type %s", typ)
}

func collectionTypeJSON(kind string, elemType tftypes.Type) (any, error) {
	elemJSON, err := ctyTypeJSON(elemType)
	if err != nil {
		return nil, err
	}
	return []any{kind, elemJSON}, nil
}
