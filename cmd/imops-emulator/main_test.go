package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	// A cancelled context: should a command line start the server by mistake, it stops at once
	// instead of hanging the test (and the test then fails on the exit code or output).
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func wantUsage(t *testing.T, text string) {
	t.Helper()
	for _, want := range []string{"Usage:", "-addr", "-fixture", "-state-out", "-ready-file", "dump", "-url", "diff before.json after.json"} {
		if !strings.Contains(text, want) {
			t.Errorf("usage lacks %q:\n%s", want, text)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}, {"-addr", "127.0.0.1:0", "-h"}, {"dump", "-h"}, {"diff", "--help"}} {
		code, stdout, stderr := runArgs(t, args...)
		if code != 0 {
			t.Errorf("%v: exit %d, want 0 (stderr %q)", args, code, stderr)
		}
		wantUsage(t, stdout)
		if stderr != "" {
			t.Errorf("%v: stderr %q, want nothing", args, stderr)
		}
	}
}

func TestStrayArgumentsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, `unexpected argument "serve"`},
		{[]string{"-addr", "127.0.0.1:0", "extra"}, `unexpected argument "extra"`},
		{[]string{"-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"dump", "-url", "http://127.0.0.1:1", "extra"}, `unexpected argument "extra"`},
		{[]string{"diff", "only-one.json"}, "diff needs two files"},
	} {
		code, stdout, stderr := runArgs(t, tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		if stdout != "" {
			t.Errorf("%v: stdout %q, want nothing", tc.args, stdout)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: stderr %q, want it to say %q", tc.args, stderr, tc.want)
		}
		wantUsage(t, stderr)
	}
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	before := emulator.Snapshot{TencentIM: &emulator.TencentIMState{Groups: map[string]emulator.TencentIMGroup{
		"g": {GroupID: "g", Type: "Public", Messages: []emulator.TencentIMMessage{{Seq: 1, Sender: "a"}, {Seq: 2, Sender: "spammer"}}},
	}}}
	after := emulator.Snapshot{TencentIM: &emulator.TencentIMState{Groups: map[string]emulator.TencentIMGroup{
		"g": {GroupID: "g", Type: "Public", Messages: []emulator.TencentIMMessage{{Seq: 1, Sender: "a"}, {Seq: 2, Sender: "spammer", Recalled: true}}},
	}}}
	code, stdout, stderr := runArgs(t, "diff", writeJSON(t, dir, "before.json", before), writeJSON(t, dir, "after.json", after))
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "recalled") || !strings.Contains(stdout, "1 changed") {
		t.Errorf("diff output:\n%s", stdout)
	}

	code, _, stderr = runArgs(t, "diff", filepath.Join(dir, "before.json"), filepath.Join(dir, "missing.json"))
	if code != 1 || !strings.Contains(stderr, "missing.json") {
		t.Errorf("diff with a missing file: exit %d, stderr %q", code, stderr)
	}
}

func TestDump(t *testing.T) {
	emu := emulator.New(emulator.DemoFixture(), emulator.Options{})
	server := httptest.NewServer(emu.Handler())
	defer server.Close()

	code, stdout, stderr := runArgs(t, "dump", "-url", server.URL+"/")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var snap emulator.Snapshot
	if err := json.Unmarshal([]byte(stdout), &snap); err != nil {
		t.Fatalf("dump is not a snapshot: %v\n%s", err, stdout)
	}
	if snap.RongCloud == nil || snap.Easemob == nil || snap.TencentIM == nil || len(snap.TencentIM.Groups) == 0 {
		t.Errorf("dump = %s", stdout)
	}

	broken := httptest.NewServer(http.NotFoundHandler())
	defer broken.Close()
	if code, _, stderr := runArgs(t, "dump", "-url", broken.URL); code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("dump of a server without the admin API: exit %d, stderr %q", code, stderr)
	}
}

// serve starts on a free loopback port, reports it, serves the fixture, and writes the final
// store when its context ends.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	ready, stateOut := filepath.Join(dir, "ready"), filepath.Join(dir, "state.json")
	fixture := writeJSON(t, dir, "fixture.json", emulator.Fixture{RongCloud: &emulator.RongCloudFixture{
		AppKey: "k", AppSecret: "s", Messages: []emulator.RongCloudMessage{{MsgUID: "M1", FromUserID: "a", ConversationType: "group", TargetID: "g"}},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-fixture", fixture, "-ready-file", ready, "-state-out", stateOut}, &stdout, &stderr)
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if data, err := os.ReadFile(ready); err == nil && strings.HasSuffix(string(data), "\n") {
			base = strings.TrimSpace(string(data))
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("the server did not report ready; exit %d", <-done)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("base URL %q is not loopback", base)
	}
	var dumped bytes.Buffer
	if code := run(context.Background(), []string{"dump", "-url", base}, &dumped, &stderr); code != 0 || !strings.Contains(dumped.String(), `"M1"`) {
		t.Errorf("dump: exit %d, %s", code, dumped.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d, stderr %q", code, stderr.String())
	}
	data, err := os.ReadFile(stateOut)
	if err != nil || !strings.Contains(string(data), `"M1"`) {
		t.Errorf("state-out: %v %s", err, data)
	}
}

func TestServeRefusesBadFixturesAndAddresses(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(typo, []byte(`{"rongcloud":{"app_key":"k","app_secret":"s","messages":[{"msguid":"M1"}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "127.0.0.1:0", "-fixture", typo}, `rongcloud.messages[0]: unknown field "msguid"`},
		{[]string{"-addr", "0.0.0.0:0"}, "must be a loopback address"},
	} {
		code, _, stderr := runArgs(t, tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", tc.args, code, stderr, tc.want)
		}
	}
}
