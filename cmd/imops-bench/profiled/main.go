// Command profiled is the provider with a CPU profile, for `imops-bench -cpuprofile DIR`: it
// serves the provider as the real binary (the repository's main.go) does, and writes
// DIR/<pid>.pprof when Terraform stops it. Terraform starts the provider several times in one
// command (to read its schema, to plan, to apply), so each process leaves its own profile.
package main

import (
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/imops/terraform-provider-imops/cmd/imops-bench/internal/cpuprofile"
	"github.com/imops/terraform-provider-imops/internal/provider"
)

func main() {
	stop, err := cpuprofile.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	server, err := provider.NewServer("bench")()
	if err != nil {
		log.Print(err)
		return
	}
	if err := tf6server.Serve(provider.ProviderAddress, func() tfprotov6.ProviderServer { return server }); err != nil {
		log.Print(err)
	}
}
