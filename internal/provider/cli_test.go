package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
)

// testCLI is the Terraform or OpenTofu binary the acceptance tests run, as it reports itself.
type testCLI struct {
	Path    string
	Product string // "Terraform" or "OpenTofu"
	Version *version.Version
}

func (c testCLI) String() string { return c.Product + " " + c.Version.String() }

// firstActionsVersion is the first Terraform that knows action blocks, -invoke and action_trigger.
var firstActionsVersion = version.Must(version.NewVersion("1.14.0"))

// runsActions says whether the CLI can run actions, and if not, why not, in words fit for a
// skipped test's reason.
func (c testCLI) runsActions() (bool, string) {
	switch {
	case c.Product == "OpenTofu":
		return false, c.String() + " has no actions (action blocks, -invoke and action_trigger are Terraform features); its resource tests run in full"
	case c.Version.LessThan(firstActionsVersion):
		return false, c.String() + " predates actions (Terraform 1.14): run `make test-matrix`, or set TF_ACC_TERRAFORM_PATH to a Terraform >= 1.14, to run this test"
	}
	return true, ""
}

// acceptanceCLI asks the binary TestMain chose (TF_ACC_TERRAFORM_PATH) what it is, once.
var acceptanceCLI = sync.OnceValues(func() (testCLI, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	out, err := exec.Command(path, "version", "-json").Output()
	if err != nil {
		return testCLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	var reported struct {
		// OpenTofu keeps Terraform's field name.
		Version string `json:"terraform_version"`
	}
	// OpenTofu prints warnings about its CLI configuration on standard output, before the JSON.
	if start := bytes.IndexByte(out, '{'); start > 0 {
		out = out[start:]
	}
	if err := json.Unmarshal(out, &reported); err != nil {
		return testCLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	v, err := version.NewVersion(reported.Version)
	if err != nil {
		return testCLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	// Only the human-readable form names the product.
	human, err := exec.Command(path, "version").Output()
	if err != nil {
		return testCLI{}, fmt.Errorf("%s version: %w", path, err)
	}
	product := "Terraform"
	if strings.Contains(string(human), "OpenTofu v") {
		product = "OpenTofu"
	}
	return testCLI{Path: path, Product: product, Version: v}, nil
})

// providerAddress is where the CLI looks for source = "imops/imops": OpenTofu's default
// registry is its own.
func (c testCLI) providerAddress() string {
	if c.Product == "OpenTofu" {
		return "registry.opentofu.org/imops/imops"
	}
	return ProviderAddress
}

// requireCLI returns the CLI under test.
func requireCLI(t *testing.T) testCLI {
	t.Helper()
	cli, err := acceptanceCLI()
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

// requireActionsCLI returns the CLI under test, skipping the test with the reason when that
// CLI cannot run actions.
func requireActionsCLI(t *testing.T) testCLI {
	t.Helper()
	cli := requireCLI(t)
	if ok, why := cli.runsActions(); !ok {
		t.Skip(why)
	}
	return cli
}
