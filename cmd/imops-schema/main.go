// Command imops-schema writes the provider's schemas as `terraform providers schema -json`
// would, action schemas included, without needing Terraform 1.14. The registry docs are
// generated from it:
//
//	go run ./cmd/imops-schema -address imops -o schema.json
//	tfplugindocs generate --provider-name imops --providers-schema schema.json
//
// tfplugindocs looks the provider up as "<name>" or "registry.terraform.io/hashicorp/<name>"
// only, hence -address imops for it; the default is the address Terraform itself reports.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/imops/terraform-provider-imops/internal/provider"
)

func main() {
	output := flag.String("o", "", "write to this file instead of standard output")
	address := flag.String("address", provider.ProviderAddress, "key of the provider in provider_schemas")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "imops-schema: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	schemas, err := provider.ExportSchemas(context.Background(), "docs", *address)
	if err != nil {
		fmt.Fprintf(os.Stderr, "imops-schema: %v\n", err)
		os.Exit(1)
	}
	schemas = append(schemas, '\n')
	if *output == "" {
		_, err = os.Stdout.Write(schemas)
	} else {
		err = os.WriteFile(*output, schemas, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "imops-schema: %v\n", err)
		os.Exit(1)
	}
}
