package main

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// asCommand makes the test binary run the command itself when this variable is set, so tests
// can start it as a separate process and signal it.
const asCommand = "IMOPS_EMULATOR_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// A signal stops the process cleanly: it exits 0, writes -state-out, removes its URL file,
// and its port is free for the next run at once, even with a client connection still open.
func TestSignalStopsTheProcessAndFreesThePort(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			urlFile, stateOut := filepath.Join(dir, "url"), filepath.Join(dir, "state.json")
			cmd := exec.Command(os.Args[0], "-addr", "127.0.0.1:0", "-url-file", urlFile, "-state-out", stateOut)
			cmd.Env = append(os.Environ(), asCommand+"=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			var waitErr error
			go func() { waitErr = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				_ = cmd.Process.Kill()
				<-exited
			})
			base := waitForURLFile(t, urlFile, exited)

			// A kept-alive connection must not hold the shutdown up.
			resp, err := http.Get(base + "/_admin/state")
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10s after %v; stderr:\n%s", sig, stderr.String())
			}
			if waitErr != nil {
				t.Fatalf("exit after %v: %v; stderr:\n%s", sig, waitErr, stderr.String())
			}
			if _, err := os.Stat(stateOut); err != nil {
				t.Errorf("state-out not written: %v", err)
			}
			if _, err := os.Stat(urlFile); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("URL file left behind: %v", err)
			}
			u, err := url.Parse(base)
			if err != nil {
				t.Fatal(err)
			}
			listener, err := net.Listen("tcp", u.Host)
			if err != nil {
				t.Fatalf("port not freed after %v: %v", sig, err)
			}
			_ = listener.Close()
		})
	}
}

// env prints lines that, evaluated by a POSIX shell, clear every vendor variable and set
// those of the fixture's vendors, quoting values the shell would otherwise expand.
func TestEnvPointsTheProviderAtTheEmulator(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("a POSIX shell is needed to check the output: %v", err)
	}
	fixture := writeJSON(t, t.TempDir(), "fixture.json", emulator.Fixture{RongCloud: &emulator.RongCloudFixture{AppKey: "k", AppSecret: `it's $HOME`}})
	code, stdout, stderr := runArgs(t, "env", "-url", "http://127.0.0.1:4242/", "-fixture", fixture)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	script := stdout + `
printf '%s|%s|%s|%s|%s\n' "$IMOPS_RONGCLOUD_APP_KEY" "$IMOPS_RONGCLOUD_APP_SECRET" "$IMOPS_RONGCLOUD_API_URLS" "${IMOPS_EASEMOB_CLIENT_SECRET-unset}" "${IMOPS_TENCENTIM_REGION-unset}"`
	shell := exec.Command(sh, "-c", script)
	// Leftovers from a CI environment: a real vendor must not be reachable afterwards.
	shell.Env = append(os.Environ(), "IMOPS_EASEMOB_CLIENT_SECRET=real-secret", "IMOPS_TENCENTIM_REGION=china")
	out, err := shell.CombinedOutput()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, out)
	}
	want := "k|it's $HOME|http://127.0.0.1:4242/rongcloud,http://127.0.0.1:4242/rongcloud-backup|unset|unset"
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("after eval: %q\nwant         %q\nenv printed:\n%s", got, want, stdout)
	}

	// The default fixture is the demo data, with all three vendors.
	_, stdout, _ = runArgs(t, "env")
	for _, name := range []string{"IMOPS_RONGCLOUD_APP_KEY='demo-app-key'", "IMOPS_EASEMOB_ORG_NAME='demo-org'",
		"IMOPS_TENCENTIM_IDENTIFIER='administrator'", "IMOPS_TENCENTIM_API_URLS='http://127.0.0.1:8900/tencentim,"} {
		if !strings.Contains(stdout, name) {
			t.Errorf("env of the demo data lacks %s:\n%s", name, stdout)
		}
	}
}
