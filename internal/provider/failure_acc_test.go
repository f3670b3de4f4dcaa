package provider

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// bulkChatFixture is the acceptance fixture plus n messages from alice to bob, bulk-0000
// onwards; alice's copy of that chat is what the tests delete from.
func bulkChatFixture(n int) (emulator.Fixture, []string) {
	fixture := testFixture()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("bulk-%04d", i)
		fixture.Easemob.Messages = append(fixture.Easemob.Messages, emulator.EasemobMessage{
			MsgID: ids[i], From: "alice", To: "bob", ChatType: "chat", Timestamp: easemobDay0,
		})
	}
	return fixture, ids
}

// deletedFromAlice counts the bulk messages gone from alice's copy of her chat with bob.
func deletedFromAlice(emu *emulator.Emulator, n int) int {
	kept := 0
	for _, id := range emu.Snapshot().Easemob.ChatView("alice", "bob") {
		if strings.HasPrefix(id, "bulk-") {
			kept++
		}
	}
	return n - kept
}

// trackedEmulator serves an emulator on loopback, counts the deletions it has served, and
// lets a test wait until no request is being served any more: a request the client gave up
// on is still carried out by the vendor, and the store must be read after that.
type trackedEmulator struct {
	emu     *emulator.Emulator
	url     string
	active  sync.WaitGroup
	deletes atomic.Int32
	// reached is closed once reachAt deletions have been served.
	reached chan struct{}
	reachAt int32
}

func startTrackedEmulator(t *testing.T, fixture emulator.Fixture, reachAt int32) *trackedEmulator {
	t.Helper()
	tracked := &trackedEmulator{emu: emulator.New(fixture, emulator.Options{}), reached: make(chan struct{}), reachAt: reachAt}
	handler := tracked.emu.Handler()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	server := &httptest.Server{Listener: listener, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tracked.active.Add(1)
		defer tracked.active.Done()
		handler.ServeHTTP(w, r)
		if r.Method == http.MethodDelete && tracked.deletes.Add(1) == tracked.reachAt {
			close(tracked.reached)
		}
	})}}
	server.Start()
	t.Cleanup(server.Close)
	tracked.url = server.URL
	return tracked
}

// accounting is what a failure diagnostic says about the items of a run.
type accounting struct {
	done, unknown, notDone int
}

var accountingLine = regexp.MustCompile(`(?m)^[│\s]*-\s+([\d,]+)\s+calls?\s+(completed|may\s+have\s+taken\s+effect|not\s+carried\s+out)\s+\(([\d,]+)\s+message\s+IDs\)`)

// parseAccounting reads the per-kind lines of a failure diagnostic; Terraform may wrap the
// text, so white space is loose.
func parseAccounting(t *testing.T, text string) accounting {
	t.Helper()
	var a accounting
	for _, m := range accountingLine.FindAllStringSubmatch(text, -1) {
		items, err := strconv.Atoi(strings.ReplaceAll(m[3], ",", ""))
		if err != nil {
			t.Fatalf("count %q: %v", m[3], err)
		}
		switch strings.Join(strings.Fields(m[2]), " ") {
		case "completed":
			a.done = items
		case "may have taken effect":
			a.unknown = items
		case "not carried out":
			a.notDone = items
		}
	}
	return a
}

// checkHonestAccounting asserts a failure diagnostic against the store: every item sorted
// once, done + unknown never below what the vendor deleted, and no ID or query in the text.
func checkHonestAccounting(t *testing.T, diagnostic string, total, deleted int) accounting {
	t.Helper()
	a := parseAccounting(t, diagnostic)
	if a.done+a.unknown+a.notDone != total {
		t.Errorf("accounting %+v does not add up to %d items:\n%s", a, total, diagnostic)
	}
	if a.done+a.unknown < deleted {
		t.Errorf("reported %d done + %d unknown, but Easemob deleted %d:\n%s", a.done, a.unknown, deleted, diagnostic)
	}
	for _, leak := range []string{"bulk-", "msgIdList", "isNotify", "/user/alice"} {
		if strings.Contains(diagnostic, leak) {
			t.Errorf("the diagnostic shows %q:\n%s", leak, diagnostic)
		}
	}
	return a
}

// A 3,000-ID deletion interrupted by Ctrl-C (SIGINT to terraform) mid-run: the error reads
// as a cancel, accounts for every call, and never reports fewer done + unknown IDs than
// Easemob deleted. The calls in flight at the interrupt reached Easemob and must count.
func TestAccEasemobRoamingChatDelete_interruptedByCtrlC(t *testing.T) {
	const total = 3000
	fixture, ids := bulkChatFixture(total)
	tracked := startTrackedEmulator(t, fixture, 12)
	// Each deletion takes half a second at Easemob, so the interrupt finds calls in flight.
	if err := tracked.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: "500ms", PathPrefix: "/easemob/acc-org/acc-app/rest/"}); err != nil {
		t.Fatal(err)
	}
	w := newCLIWorkspace(t, requireCLI(t), providerConfig(tracked.url)+fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "bulk" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = %s
}
`, hclSet(ids)))
	var output bytes.Buffer
	apply := w.command("apply", "-auto-approve", "-input=false")
	apply.Stdout, apply.Stderr = &output, &output
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- apply.Wait() }()
	select {
	case <-tracked.reached:
	case err := <-exited:
		t.Fatalf("terraform apply ended before the interrupt (%v):\n%s", err, output.String())
	}
	if err := apply.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatalf("terraform apply succeeded although interrupted:\n%s", output.String())
	}
	tracked.active.Wait()

	text := output.String()
	start := strings.Index(text, "Error: Error running imops_easemob_roaming_chat_delete")
	if start < 0 {
		t.Fatalf("no error diagnostic for the run:\n%s", text)
	}
	diagnostic := text[start:]
	deleted := deletedFromAlice(tracked.emu, total)
	a := checkHonestAccounting(t, diagnostic, total, deleted)
	if !regexp.MustCompile(`Cancelled:\s+Terraform\s+was\s+asked\s+to\s+stop`).MatchString(diagnostic) {
		t.Errorf("the diagnostic does not read as a cancel:\n%s", diagnostic)
	}
	if strings.Contains(diagnostic, "DNS") || strings.Contains(diagnostic, "api_url") {
		t.Errorf("a cancel got network advice:\n%s", diagnostic)
	}
	if a.unknown == 0 || a.done >= deleted || a.notDone == 0 {
		t.Errorf("accounting %+v with %d deleted: want calls in flight counted as unknown, and some never sent", a, deleted)
	}
	t.Logf("interrupted after %d of %d IDs deleted; reported %d done, %d unknown, %d not carried out", deleted, total, a.done, a.unknown, a.notDone)
	if state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate")); err == nil && strings.Contains(string(state), "imops_easemob_roaming_chat_delete") {
		t.Errorf("an interrupted run was recorded in state:\n%s", state)
	}
}

// easemobProviderConfig configures only Easemob against the emulator, with the given
// provider-wide settings (HCL lines) and base URL paths.
func easemobProviderConfig(baseURL, settings string) string {
	return fmt.Sprintf(`
provider "imops" {
%s
  easemob {
    api_url       = %q
    org_name      = %q
    app_name      = %q
    client_id     = %q
    client_secret = %q
  }
}
`, settings, baseURL+"/easemob", testEasemobOrgName, testEasemobAppName, testEasemobClientID, testEasemobClientSecret)
}

// Requests that time out after they were sent may have taken effect; calls never started are
// not carried out. The diagnostic sorts both, and the vendor (which finishes what it got)
// never deleted more than done + unknown.
func TestAccEasemobRoamingChatDelete_requestTimeoutAccounting(t *testing.T) {
	const total = 600 // 12 calls of 50
	fixture, ids := bulkChatFixture(total)
	tracked := startTrackedEmulator(t, fixture, 0)
	if err := tracked.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: "3s", PathPrefix: "/easemob/acc-org/acc-app/rest/"}); err != nil {
		t.Fatal(err)
	}
	// The four calls in flight time out after sending; the other eight never start.
	want := regexp.MustCompile(`(?s)timed\s+out;\s+raise\s+request_timeout.*max_retries\s+is\s+0.*` +
		`4\s+calls\s+may\s+have\s+taken\s+effect\s+\(200\s+message\s+IDs\).*8\s+calls\s+not\s+carried\s+out\s+\(400\s+message\s+IDs\)`)
	var diagnostic string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		// ExpectError would hide the text; this keeps it for the checks against the store.
		ErrorCheck: func(err error) error {
			diagnostic = err.Error()
			if !want.MatchString(diagnostic) {
				return err
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: easemobProviderConfig(tracked.url, `  request_timeout = "1s"
  max_retries = 0
  max_concurrent_requests = 4`) + fmt.Sprintf(`
resource "imops_easemob_roaming_chat_delete" "bulk" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = %s
}
`, hclSet(ids)),
		}},
	})
	if diagnostic == "" {
		t.Fatal("the apply succeeded although every call timed out")
	}
	tracked.active.Wait()
	checkHonestAccounting(t, diagnostic, total, deletedFromAlice(tracked.emu, total))
	if strings.Contains(diagnostic, "region") {
		t.Errorf("Easemob has no region, yet the advice names one:\n%s", diagnostic)
	}
}

// Easemob answers 503 to every call, token included, for 8 seconds: with the default retry
// settings the apply rides it out and the deletion happens once.
func TestAccEasemobRoamingChatDelete_rideOutEightSecondOutage(t *testing.T) {
	emu, baseURL := testEmulator(t, testFixture(), emulator.Options{})
	if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Status: http.StatusServiceUnavailable, Duration: "8s"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: easemobProviderConfig(baseURL, "") + `
resource "imops_easemob_roaming_chat_delete" "leak" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = ["ab-1", "ab-4"]
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_easemob_roaming_chat_delete.leak", "vendor_calls", "1"),
				checkEasemobChat(emu, "alice", "bob", "ab-2", "ab-3"),
				checkEasemobChat(emu, "bob", "alice", "ab-1", "ab-2", "ab-3", "ab-4"),
				func(*terraform.State) error {
					refused, deletions := 0, 0
					for _, r := range emu.Requests() {
						switch {
						case r.Status == http.StatusServiceUnavailable:
							refused++
						case r.Method == http.MethodDelete:
							deletions++
						}
					}
					if refused <= 5 || deletions != 1 {
						return fmt.Errorf("%d answers 503 and %d deletions; want the outage ridden out past the old 5 attempts, then one deletion", refused, deletions)
					}
					return nil
				},
			),
		}},
	})
}

// With the primary dead (every connection dropped) and the backup alive, only the first
// wave of concurrent calls tries the primary; every later call goes straight to the backup.
func TestAccRongCloudExtensionDelete_deadPrimaryIsSkipped(t *testing.T) {
	const keys, concurrency = 600, 2 // 6 calls, at most 2 at a time
	fixture := testFixture()
	extraKeys := make([]string, keys)
	for i := range extraKeys {
		extraKeys[i] = fmt.Sprintf("k%04d", i)
		fixture.RongCloud.Messages[1].Extensions[extraKeys[i]] = "v"
	}
	emu, baseURL := testEmulator(t, fixture, emulator.Options{})
	if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultReset, PathPrefix: "/rongcloud/", Duration: "10m"}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "imops" {
  max_concurrent_requests = %d
  rongcloud {
    app_key    = %q
    app_secret = %q
    api_urls   = [%q, %q]
  }
}

resource "imops_rongcloud_extension_delete" "bulk" {
  message_uid       = "MSG-PRIVATE-1"
  user_id           = "bob"
  conversation_type = "private"
  target_id         = "carol"
  extra_keys        = %s
}
`, concurrency, testRongCloudAppKey, testRongCloudAppSecret, baseURL+"/rongcloud", baseURL+"/rongcloud-backup", hclSet(extraKeys)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("imops_rongcloud_extension_delete.bulk", "vendor_calls", "6"),
				func(*terraform.State) error {
					onPrimary, onBackup := 0, 0
					for _, r := range emu.Requests() {
						switch r.Base {
						case "/rongcloud":
							onPrimary++
						case "/rongcloud-backup":
							onBackup++
						}
					}
					if onPrimary < 1 || onPrimary > concurrency || onBackup != 6 {
						return fmt.Errorf("%d requests tried the dead primary and %d the backup; want 1..%d and 6", onPrimary, onBackup, concurrency)
					}
					if left := emu.Snapshot().RongCloud.Messages["MSG-PRIVATE-1"].Extensions; len(left) != 2 {
						return fmt.Errorf("extensions left: %v, want note and reaction", left)
					}
					return nil
				},
			),
		}},
	})
}

// The action surface, cancelled the way Terraform cancels it (the invocation's context ends):
// the completed event carries the same honest accounting as the resource, checked against
// the store once Easemob has finished what it was sent.
func TestActionInvoke_cancelledMidRun(t *testing.T) {
	const total = 3000
	fixture, ids := bulkChatFixture(total)
	tracked := startTrackedEmulator(t, fixture, 12)
	if err := tracked.emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: "300ms", PathPrefix: "/easemob/acc-org/acc-app/rest/"}); err != nil {
		t.Fatal(err)
	}
	p := newProtocolProvider(t)
	p.configure(tracked.url)
	const typeName = "imops_easemob_roaming_chat_delete"
	config := p.actionConfig(typeName, map[string]any{"user_id": "alice", "peer_user_id": "bob", "message_ids": ids})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := p.actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: typeName, Config: config})
	if err != nil {
		t.Fatalf("InvokeAction: %v", err)
	}
	go func() {
		<-tracked.reached
		cancel()
	}()
	var diagnostics []*tfprotov6.Diagnostic
	for event := range stream.Events {
		if completed, ok := event.Type.(tfprotov6.CompletedInvokeActionEventType); ok {
			diagnostics = completed.Diagnostics
		}
	}
	tracked.active.Wait()
	if len(diagnostics) != 1 || diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatalf("diagnostics = %v, want one error", diagnostics)
	}
	detail := diagnostics[0].Detail
	if !strings.HasPrefix(detail, "Cancelled: Terraform was asked to stop") || strings.Contains(detail, "DNS") {
		t.Errorf("the detail does not read as a plain cancel:\n%s", detail)
	}
	a := checkHonestAccounting(t, detail, total, deletedFromAlice(tracked.emu, total))
	if a.unknown == 0 {
		t.Errorf("no call counted as in flight at the cancel:\n%s", detail)
	}
}
