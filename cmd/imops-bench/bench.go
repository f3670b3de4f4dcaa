package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/cmd/imops-bench/internal/cpuprofile"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// The emulated Easemob app every case runs against.
const (
	benchOrg          = "bench-org"
	benchApp          = "bench-app"
	benchClientID     = "bench-client-id"
	benchClientSecret = "bench-client-secret-not-real"
)

// bench is one run of the harness: the provider built from this tree, the terraform binary,
// and the emulator serving on loopback.
type bench struct {
	opts      options
	log       io.Writer
	work      string
	providers string // the directory dev_overrides points at
	cliConfig string
	tfVersion version
	machine   machine
	emu       *emulator.Emulator
	server    *http.Server
	baseURL   string
}

// machine describes where the figures were measured.
type machine struct {
	CPU, Cores, Load, Go, Terraform, Commit string
}

func newBench(ctx context.Context, opts options, log io.Writer) (*bench, error) {
	b := &bench{opts: opts, log: log}
	tf, err := exec.LookPath(opts.terraform)
	if err != nil {
		return nil, fmt.Errorf("terraform not found (%v): put Terraform on PATH or name it with IMOPS_BENCH_TERRAFORM", err)
	}
	b.opts.terraform = tf
	out, err := exec.CommandContext(ctx, tf, "version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s version: %w", tf, err)
	}
	firstLine, _, _ := strings.Cut(string(out), "\n")
	if b.tfVersion, err = parseTerraformVersion(firstLine); err != nil {
		return nil, err
	}
	b.work, err = os.MkdirTemp("", "imops-bench-")
	if err != nil {
		return nil, err
	}
	b.providers = filepath.Join(b.work, "bin")
	fmt.Fprintf(log, "==> building the provider into %s\n", b.providers)
	source := "."
	if opts.cpuProfile != "" {
		source = "./cmd/imops-bench/profiled"
		if b.opts.cpuProfile, err = filepath.Abs(opts.cpuProfile); err == nil {
			err = os.MkdirAll(b.opts.cpuProfile, 0o755)
		}
		if err != nil {
			b.close()
			return nil, err
		}
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(b.providers, "terraform-provider-imops"), source)
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		b.close()
		return nil, fmt.Errorf("building the provider (run imops-bench from the repository root): %w", err)
	}
	b.cliConfig = filepath.Join(b.work, "dev.tfrc")
	cliConfig := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"imops/imops\" = %q\n  }\n  direct {}\n}\n", b.providers)
	if err := os.WriteFile(b.cliConfig, []byte(cliConfig), 0o600); err != nil {
		b.close()
		return nil, err
	}
	if err := b.startEmulator(); err != nil {
		b.close()
		return nil, err
	}
	b.machine = describeMachine(ctx, firstLine)
	return b, nil
}

func (b *bench) startEmulator() error {
	b.emu = emulator.New(emulator.Fixture{}, emulator.Options{QuotaBurst: b.opts.quotaBurst})
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.server = &http.Server{Handler: b.emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.server.Serve(listener) }()
	b.baseURL = "http://" + listener.Addr().String()
	return nil
}

func (b *bench) close() {
	if b.server != nil {
		_ = b.server.Close()
	}
	if b.work == "" {
		return
	}
	if b.opts.keep {
		fmt.Fprintf(b.log, "==> kept %s\n", b.work)
		return
	}
	_ = os.RemoveAll(b.work)
}

// reset loads a fresh store holding messages, with the latency fault on every vendor call
// and an empty request log.
func (b *bench) reset(messages []emulator.EasemobMessage) error {
	b.emu.Load(emulator.Fixture{Easemob: &emulator.EasemobFixture{
		OrgName: benchOrg, AppName: benchApp, ClientID: benchClientID, ClientSecret: benchClientSecret,
		Users: []string{"alice", "bob"}, Messages: messages,
	}})
	if b.opts.latency <= 0 {
		return nil
	}
	return b.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, PathPrefix: "/easemob/", Latency: b.opts.latency.String()})
}

// env is the environment of every terraform command: the dev_overrides configuration, the
// emulator's app, and nothing of the caller's own IMOPS_* or TF_* settings.
func (b *bench) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "IMOPS_") || strings.HasPrefix(kv, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_CLI_CONFIG_FILE="+b.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"IMOPS_EASEMOB_API_URL="+b.baseURL+"/easemob", "IMOPS_EASEMOB_ORG_NAME="+benchOrg,
		"IMOPS_EASEMOB_APP_NAME="+benchApp, "IMOPS_EASEMOB_CLIENT_ID="+benchClientID,
		"IMOPS_EASEMOB_CLIENT_SECRET="+benchClientSecret,
	)
	if b.opts.cpuProfile != "" {
		env = append(env, cpuprofile.DirEnv+"="+b.opts.cpuProfile)
	}
	return append(env, extra...)
}

// workspace writes a directory holding main.tf and ids.txt (one ID a line, as users keep
// their exports).
func (b *bench) workspace(name, mainTF string, ids []string) (string, error) {
	dir, err := os.MkdirTemp(b.work, name+"-")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o600); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "ids.txt"), []byte(strings.Join(ids, "\n")+"\n"), 0o600)
}

// commandResult is one terraform command, timed as a whole process.
type commandResult struct {
	wall time.Duration
	// providerPeakKiB is the largest VmHWM of the provider processes terraform started.
	providerPeakKiB int64
	exitCode        int
}

// terraform runs one terraform command in dir and times it from start to exit. Exit codes in
// okCodes (besides 0) are not failures (plan's -detailed-exitcode). Output goes to a log file
// in dir, whose end is shown if the command fails.
func (b *bench) terraform(ctx context.Context, dir string, env []string, okCodes []int, args ...string) (commandResult, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.timeout)
	defer cancel()
	logPath := filepath.Join(dir, "terraform.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return commandResult{}, err
	}
	defer logFile.Close()
	fmt.Fprintf(logFile, "$ terraform %s\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, b.opts.terraform, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
	// On a timeout or Ctrl-C, interrupt terraform as a user would, so that it stops the
	// provider it started rather than leave it running; kill it if it does not exit.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return commandResult{}, err
	}
	sampler := startRSSSampler(cmd.Process.Pid)
	err = cmd.Wait()
	result := commandResult{wall: time.Since(started), providerPeakKiB: sampler.stop(), exitCode: cmd.ProcessState.ExitCode()}
	if err != nil && !containsInt(okCodes, result.exitCode) {
		return result, fmt.Errorf("terraform %s in %s: %w\n%s", strings.Join(args, " "), dir, err, failureExcerpt(logPath))
	}
	return result, nil
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// failureExcerpt shows why a terraform command failed: its last lines, where its errors are,
// or, when terraform itself crashed, the crash's first lines and the frames of the goroutine
// that crashed rather than the end of the dump.
func failureExcerpt(logPath string) string {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "fatal error:") || strings.HasPrefix(line, "panic:") {
			return strings.Join(lines[i:min(len(lines), i+40)], "\n") + "\n(the whole output is in " + logPath + ")"
		}
	}
	return tail(logPath, 30)
}

// tail returns the last lines of a log file, for an error message.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// apply runs terraform apply; plan runs a plan that must find nothing to change.
func (b *bench) apply(ctx context.Context, dir string, env []string, extra ...string) (commandResult, error) {
	args := append([]string{"apply", "-auto-approve", "-input=false", "-no-color"}, extra...)
	return b.terraform(ctx, dir, env, nil, args...)
}

// planNoChange runs a plan that must find nothing to change. Above opts.jsonAbove IDs it asks
// for -json (see asJSON).
func (b *bench) planNoChange(ctx context.Context, dir string, env []string, ids int) (commandResult, bool, error) {
	args := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}
	asJSON := b.asJSON(ids)
	if asJSON {
		args = append(args, "-json")
	}
	result, err := b.terraform(ctx, dir, env, []int{2}, args...)
	if err == nil && result.exitCode == 2 {
		err = fmt.Errorf("terraform plan in %s found changes after apply; a later plan must find none\n%s", dir, tail(filepath.Join(dir, "terraform.log"), 30))
	}
	return result, asJSON, err
}

// asJSON reports whether a command over a list of ids entries must run with -json. Terraform's
// human-readable output renders a list attribute as a diff of its old and new values through
// a longest-common-subsequence table of len(old) × len(new) cells (about 9 bytes a cell), even
// when nothing changed: a later plan of a terraform_data holding 10,000 IDs takes 10 s and 1.7
// GB for it, and at 100,000 IDs it needs about 90 GB. An action's invocation is rendered the
// same way, its configuration against itself, so `apply -invoke` of 100,000 IDs runs out of
// memory (Terraform 1.14.9 and 1.16.4). The -json output skips that rendering and so shows what
// the provider and Terraform's own planning cost.
func (b *bench) asJSON(ids int) bool { return ids > b.opts.jsonAbove }

// version is a terraform version, major.minor.patch.
type version [3]int

var versionPattern = regexp.MustCompile(`v(\d+)\.(\d+)\.(\d+)`)

// parseTerraformVersion reads the first line of `terraform version` ("Terraform v1.11.4").
func parseTerraformVersion(line string) (version, error) {
	m := versionPattern.FindStringSubmatch(line)
	if m == nil {
		return version{}, fmt.Errorf("cannot read a version from %q", strings.TrimSpace(line))
	}
	var v version
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	return v, nil
}

// atLeast reports whether v is major.minor or later.
func (v version) atLeast(major, minor int) bool {
	return v[0] > major || (v[0] == major && v[1] >= minor)
}

func describeMachine(ctx context.Context, terraformLine string) machine {
	m := machine{Cores: strconv.Itoa(runtime.NumCPU()), Go: runtime.Version(), Terraform: strings.TrimSpace(terraformLine)}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPU = strings.TrimSpace(value)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.Load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	if out, err := exec.CommandContext(ctx, "git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if status, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(status)) > 0 {
			m.Commit += " (with uncommitted changes)"
		}
	}
	return m
}

// fetchToken gets an Easemob app token from the emulator, for the curl reference (a user
// scripting curl would fetch one the same way). It is not timed.
func (b *bench) fetchToken(ctx context.Context) (string, error) {
	body := fmt.Sprintf(`{"grant_type":"client_credentials","client_id":%q,"client_secret":%q}`, benchClientID, benchClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.baseURL+"/easemob/"+benchOrg+"/"+benchApp+"/token", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != http.StatusOK || answer.AccessToken == "" {
		return "", fmt.Errorf("the emulator did not issue a token (HTTP %d, %v)", resp.StatusCode, err)
	}
	return answer.AccessToken, nil
}
