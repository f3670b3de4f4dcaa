package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// terraformDir is a working directory in which a test drives the real terraform binary
// itself, for what terraform-plugin-testing cannot express: starting from a state file
// written by an earlier provider release, and reading the warnings of a plan. For each command
// the provider is served in-process and Terraform attaches to it (TF_REATTACH_PROVIDERS), as
// terraform-plugin-testing does; nothing is installed or downloaded.
type terraformDir struct {
	t   *testing.T
	dir string
}

// newTerraformDir writes files (name → content) into a new directory and runs terraform init.
func newTerraformDir(t *testing.T, files map[string]string) *terraformDir {
	t.Helper()
	d := &terraformDir{t: t, dir: t.TempDir()}
	declared := false
	for name, content := range files {
		d.write(name, content)
		declared = declared || strings.Contains(content, "required_providers")
	}
	if !declared {
		d.write("versions.tf", "terraform {\n  required_providers {\n    imops = {\n      source = \"imops/imops\"\n    }\n  }\n}\n")
	}
	if code, out := d.run("init", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("terraform init exited %d:\n%s", code, out)
	}
	return d
}

func (d *terraformDir) write(name, content string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, name), []byte(content), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

func (d *terraformDir) read(name string) []byte {
	d.t.Helper()
	data, err := os.ReadFile(filepath.Join(d.dir, name))
	if err != nil {
		d.t.Fatal(err)
	}
	return data
}

// run runs one terraform command with a provider server started for it, and returns the exit
// code and the combined output.
func (d *terraformDir) run(args ...string) (int, string) {
	d.t.Helper()
	reattach, stop := serveProviderForTerraform(d.t)
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir = d.dir
	cmd.Env = append(os.Environ(), "TF_REATTACH_PROVIDERS="+reattach, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode(), out.String()
	}
	if err != nil {
		d.t.Fatalf("running terraform %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String()
}

// terraformPlan is what `terraform plan -json -detailed-exitcode` reported.
type terraformPlan struct {
	// exitCode is 0 for no changes, 2 for changes, 1 for an error.
	exitCode    int
	diagnostics []terraformDiagnostic
	// actions maps each resource address to its planned action ("create", "replace", ...).
	actions map[string]string
	output  string
}

type terraformDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// plan runs terraform plan (or, with apply, terraform apply -auto-approve) in machine-readable
// form and collects its diagnostics and planned actions.
func (d *terraformDir) plan(extraArgs ...string) terraformPlan {
	d.t.Helper()
	args := append([]string{"plan", "-json", "-input=false", "-detailed-exitcode"}, extraArgs...)
	code, out := d.run(args...)
	return parseTerraformJSON(d.t, code, out)
}

func (d *terraformDir) apply(extraArgs ...string) terraformPlan {
	d.t.Helper()
	args := append([]string{"apply", "-json", "-input=false", "-auto-approve"}, extraArgs...)
	code, out := d.run(args...)
	return parseTerraformJSON(d.t, code, out)
}

func parseTerraformJSON(t *testing.T, code int, out string) terraformPlan {
	t.Helper()
	result := terraformPlan{exitCode: code, actions: map[string]string{}, output: out}
	scanner := bufio.NewScanner(strings.NewReader(out))
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var line struct {
			Type       string              `json:"type"`
			Diagnostic terraformDiagnostic `json:"diagnostic"`
			Change     struct {
				Resource struct {
					Addr string `json:"addr"`
				} `json:"resource"`
				Action string `json:"action"`
			} `json:"change"`
		}
		if json.Unmarshal(scanner.Bytes(), &line) != nil {
			continue // not every line of the output is JSON (the reattach notice is not)
		}
		switch line.Type {
		case "diagnostic":
			result.diagnostics = append(result.diagnostics, line.Diagnostic)
		case "planned_change":
			result.actions[line.Change.Resource.Addr] = line.Change.Action
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("reading terraform's output: %v", err)
	}
	return result
}

// warnings returns the plan's warning diagnostics, leaving out the one Terraform gives for
// every reattached provider.
func (p terraformPlan) warnings() []terraformDiagnostic {
	var warnings []terraformDiagnostic
	for _, d := range p.diagnostics {
		if d.Severity == "warning" && !strings.Contains(d.Summary, "Provider development overrides") {
			warnings = append(warnings, d)
		}
	}
	return warnings
}

// serveProviderForTerraform serves the provider in-process, as a provider process would
// serve one Terraform command, and returns the TF_REATTACH_PROVIDERS value pointing to it and a
// function that stops it.
func serveProviderForTerraform(t *testing.T) (string, func()) {
	t.Helper()
	server, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattachCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	go func() {
		_ = tf6server.Serve(ProviderAddress, func() tfprotov6.ProviderServer { return server },
			tf6server.WithDebug(ctx, reattachCh, closeCh),
			tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t),
		)
	}()
	var config *plugin.ReattachConfig
	select {
	case config = <-reattachCh:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the provider server did not start")
	}
	type reattachAddr struct{ Network, String string }
	type reattachConfig struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            reattachAddr
	}
	reattach, err := json.Marshal(map[string]reattachConfig{ProviderAddress: {
		Protocol: string(config.Protocol), ProtocolVersion: config.ProtocolVersion, Pid: config.Pid, Test: config.Test,
		Addr: reattachAddr{Network: config.Addr.Network(), String: config.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(reattach), func() {
		cancel()
		<-closeCh
	}
}
