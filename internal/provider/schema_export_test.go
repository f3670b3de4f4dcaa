package provider

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The export reads back through terraform-json, the library tfplugindocs uses, and holds every
// resource and action with its documentation.
func TestSchemaExport_roundTripsThroughTerraformJSON(t *testing.T) {
	raw, err := ExportSchemas(context.Background(), "test", ProviderAddress)
	if err != nil {
		t.Fatal(err)
	}
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(raw, &schemas); err != nil {
		t.Fatalf("terraform-json refuses the export: %v", err)
	}
	if err := schemas.Validate(); err != nil {
		t.Fatal(err)
	}
	provider, ok := schemas.Schemas[ProviderAddress]
	if !ok {
		t.Fatalf("no provider %s in the export", ProviderAddress)
	}
	if provider.ConfigSchema == nil || provider.ConfigSchema.Block.Description == "" {
		t.Errorf("the provider configuration schema or its description is missing")
	}
	for _, op := range operations() {
		typeName := op.TypeName()
		resource, ok := provider.ResourceSchemas[typeName]
		if !ok {
			t.Errorf("resource %s missing", typeName)
			continue
		}
		checkDocumented(t, "resource "+typeName, resource.Block)
		action, ok := provider.ActionSchemas[typeName]
		if !ok {
			t.Errorf("action %s missing", typeName)
			continue
		}
		checkDocumented(t, "action "+typeName, action.Block)
		if got, want := len(action.Block.Attributes), len(op.Arguments); got != want {
			t.Errorf("action %s has %d attributes, want its %d arguments", typeName, got, want)
		}
		for _, arg := range op.Arguments {
			attr, ok := action.Block.Attributes[arg.Name]
			if !ok {
				t.Errorf("action %s lacks %s", typeName, arg.Name)
				continue
			}
			if attr.Required != arg.Required || attr.Optional == arg.Required || attr.Computed {
				t.Errorf("action %s.%s: required=%v optional=%v computed=%v", typeName, arg.Name, attr.Required, attr.Optional, attr.Computed)
			}
			if !attr.AttributeType.Equals(resource.Block.Attributes[arg.Name].AttributeType) {
				t.Errorf("action %s.%s: type %s differs from the resource's", typeName, arg.Name, attr.AttributeType.FriendlyName())
			}
		}
	}
	if n, want := len(provider.ResourceSchemas), len(operations()); n != want {
		t.Errorf("%d resources exported, want %d", n, want)
	}
	if n, want := len(provider.ActionSchemas), len(operations()); n != want {
		t.Errorf("%d actions exported, want %d", n, want)
	}
}

func checkDocumented(t *testing.T, what string, block *tfjson.SchemaBlock) {
	t.Helper()
	if block.Description == "" || block.DescriptionKind != tfjson.SchemaDescriptionKindMarkdown {
		t.Errorf("%s: no Markdown description", what)
	}
	for name, attr := range block.Attributes {
		if attr.Description == "" || attr.DescriptionKind != tfjson.SchemaDescriptionKindMarkdown {
			t.Errorf("%s.%s: no Markdown description", what, name)
		}
	}
}

// The export is exactly what Terraform itself exports. Terraform before 1.14 leaves actions
// out, so there only the provider and resources are compared; from 1.14 on, actions too.
func TestSchemaExport_matchesTerraform(t *testing.T) {
	goBinary, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH; cannot build the provider for Terraform")
	}
	dir := t.TempDir()
	pluginDir := filepath.Join(dir, "plugins")
	build := exec.Command(goBinary, "build", "-o", filepath.Join(pluginDir, "terraform-provider-imops"), "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(dir, "dev.tfrc")
	writeFile(t, cliConfig, `provider_installation {
  dev_overrides {
    "imops/imops" = "`+filepath.ToSlash(pluginDir)+`"
  }
  direct {}
}
`)
	workDir := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(workDir, "main.tf"), `terraform {
  required_providers {
    imops = { source = "imops/imops" }
  }
}
`)
	terraform := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "providers", "schema", "-json")
	terraform.Dir = workDir
	terraform.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1")
	fromTerraform, err := terraform.Output()
	if err != nil {
		t.Fatalf("terraform providers schema -json: %v", err)
	}
	ours, err := ExportSchemas(context.Background(), "test", ProviderAddress)
	if err != nil {
		t.Fatal(err)
	}

	type providerPart struct {
		Provider        any `json:"provider"`
		ResourceSchemas any `json:"resource_schemas"`
		ActionSchemas   any `json:"action_schemas"`
	}
	type export struct {
		Schemas map[string]providerPart `json:"provider_schemas"`
	}
	var want, got export
	if err := json.Unmarshal(fromTerraform, &want); err != nil {
		t.Fatalf("reading Terraform's export: %v", err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatal(err)
	}
	wantProvider, gotProvider := want.Schemas[ProviderAddress], got.Schemas[ProviderAddress]
	if wantProvider.ResourceSchemas == nil {
		t.Fatalf("Terraform exported no resources for %s:\n%s", ProviderAddress, fromTerraform)
	}
	if wantProvider.ActionSchemas == nil {
		t.Log("this Terraform does not export action schemas; comparing the provider and resources only")
		gotProvider.ActionSchemas = nil
	}
	if !reflect.DeepEqual(gotProvider, wantProvider) {
		t.Errorf("the export differs from Terraform's:\n ours: %v\nterraform: %v", gotProvider, wantProvider)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Types the provider does not use yet must still come out as cty writes them, or a future
// object attribute would break the docs without a failing test.
func TestSchemaExport_typesAsCtyWritesThem(t *testing.T) {
	for _, tc := range []struct {
		tf  tftypes.Type
		cty cty.Type
	}{
		{tftypes.String, cty.String},
		{tftypes.Number, cty.Number},
		{tftypes.Bool, cty.Bool},
		{tftypes.DynamicPseudoType, cty.DynamicPseudoType},
		{tftypes.Set{ElementType: tftypes.String}, cty.Set(cty.String)},
		{tftypes.List{ElementType: tftypes.Number}, cty.List(cty.Number)},
		{tftypes.Map{ElementType: tftypes.Bool}, cty.Map(cty.Bool)},
		{tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Number}}, cty.Tuple([]cty.Type{cty.String, cty.Number})},
		{
			tftypes.Object{
				AttributeTypes:     map[string]tftypes.Type{"name": tftypes.String, "tags": tftypes.Map{ElementType: tftypes.String}, "size": tftypes.Number},
				OptionalAttributes: map[string]struct{}{"tags": {}, "size": {}},
			},
			cty.ObjectWithOptionalAttrs(map[string]cty.Type{"name": cty.String, "tags": cty.Map(cty.String), "size": cty.Number}, []string{"tags", "size"}),
		},
	} {
		ours, err := ctyTypeJSON(tc.tf)
		if err != nil {
			t.Errorf("%s: %v", tc.tf, err)
			continue
		}
		got, err := json.Marshal(ours)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ctyjson.MarshalType(tc.cty)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: got %s, cty writes %s", tc.tf, got, want)
		}
	}
}
