// Command profiled is the provider with a CPU profile, for `imops-bench -cpuprofile DIR`: it
// serves the provider exactly as the real binary does, and writes DIR/<pid>.pprof when
// Terraform stops it. Terraform starts the provider several times in one command (to read its
// schema, to plan, to apply), so each process leaves its own profile.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/imops/terraform-provider-imops/cmd/imops-bench/internal/cpuprofile"
	"github.com/imops/terraform-provider-imops/internal/provider"
)

func main() {
	stop, err := cpuprofile.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	if err := providerserver.Serve(context.Background(), provider.New("bench"), providerserver.ServeOpts{Address: provider.ProviderAddress}); err != nil {
		log.Print(err)
	}
}
