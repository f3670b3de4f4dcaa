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
	for _, want := range []string{"Usage:", "-addr", "-fixture", "-strict", "-state-out", "-url-file", "-ready-file", "env [flags]", "dump [flags]", "-requests", "-url", "diff [flags] before.json after.json"} {
		if !strings.Contains(text, want) {
			t.Errorf("usage lacks %q:\n%s", want, text)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}, {"-addr", "127.0.0.1:0", "-h"}, {"dump", "-h"}, {"diff", "--help"}, {"env", "-help"}} {
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
		{[]string{"diff", "-requests"}, "flag needs an argument: -requests"},
		{[]string{"env", "extra"}, `unexpected argument "extra"`},
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
	beforeFile, afterFile := writeJSON(t, dir, "before.json", before), writeJSON(t, dir, "after.json", after)
	code, stdout, stderr := runArgs(t, "diff", beforeFile, afterFile)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		"  ~ changed  tencentim.groups.g.messages[seq=2].recalled: false -> true\n",
		"  tencentim  group g: 1 message: seq 1\n",
		"1 changed; kept: ",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diff output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Vendor requests") {
		t.Errorf("diff without -requests lists requests:\n%s", stdout)
	}

	zero := 0
	requests := writeJSON(t, dir, "requests.json", []emulator.RequestRecord{{Vendor: "tencentim", Base: "/tencentim", Method: "POST",
		Path: "/v4/group_open_http_svc/delete_group_msg_by_sender", Status: 200, Matched: &zero, MatchedNothing: true}})
	code, stdout, stderr = runArgs(t, "diff", "-requests", requests, beforeFile, afterFile)
	if code != 0 || !strings.Contains(stdout, "matched 0  <- matched nothing") || !strings.Contains(stdout, "! 1 request matched nothing") {
		t.Errorf("diff -requests: exit %d, stderr %q, output:\n%s", code, stderr, stdout)
	}

	code, _, stderr = runArgs(t, "diff", beforeFile, filepath.Join(dir, "missing.json"))
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

	code, stdout, stderr = runArgs(t, "dump", "-requests", "-url", server.URL)
	if code != 0 || strings.TrimSpace(stdout) != "[]" {
		t.Errorf("dump -requests of a fresh emulator: exit %d, stderr %q, output %q; want an empty list", code, stderr, stdout)
	}

	broken := httptest.NewServer(http.NotFoundHandler())
	defer broken.Close()
	if code, _, stderr := runArgs(t, "dump", "-url", broken.URL); code != 1 || !strings.Contains(stderr, "404") {
		t.Errorf("dump of a server without the admin API: exit %d, stderr %q", code, stderr)
	}
}

// waitForURLFile polls path until the server has written its base URL there, or fails the
// test once the server exits or ten seconds pass.
func waitForURLFile(t *testing.T, path string, exited <-chan struct{}) string {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		if data, err := os.ReadFile(path); err == nil {
			if !strings.HasSuffix(string(data), "\n") {
				t.Fatalf("url file holds %q: written in part", data)
			}
			return strings.TrimSpace(string(data))
		}
		select {
		case <-tick.C:
		case <-exited:
			t.Fatal("the server exited before writing its URL")
		case <-deadline:
			t.Fatal("the server did not write its URL within 10s")
		}
	}
}

// serve starts on a free loopback port, reports it, serves the fixture, and writes the final
// store and removes the URL file when its context ends. The flag's former name still works.
func TestServe(t *testing.T) {
	for _, urlFlag := range []string{"-url-file", "-ready-file"} {
		t.Run(urlFlag, func(t *testing.T) {
			dir := t.TempDir()
			urlFile, stateOut := filepath.Join(dir, "url"), filepath.Join(dir, "state.json")
			fixture := writeJSON(t, dir, "fixture.json", emulator.Fixture{RongCloud: &emulator.RongCloudFixture{
				AppKey: "k", AppSecret: "s", Messages: []emulator.RongCloudMessage{{MsgUID: "M1", FromUserID: "a", ConversationType: "group", TargetID: "g"}},
			}})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr bytes.Buffer
			done, exited := make(chan int, 1), make(chan struct{})
			go func() {
				done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-fixture", fixture, urlFlag, urlFile, "-state-out", stateOut, "-strict"}, &stdout, &stderr)
				close(exited)
			}()
			base := waitForURLFile(t, urlFile, exited)
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
			if !strings.Contains(stderr.String(), "listening on "+base+", strict") {
				t.Errorf("the log does not say the emulator is strict: %q", stderr.String())
			}
			data, err := os.ReadFile(stateOut)
			if err != nil || !strings.Contains(string(data), `"M1"`) {
				t.Errorf("state-out: %v %s", err, data)
			}
			if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
				t.Errorf("the URL file outlives the server: %v", err)
			}
		})
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
