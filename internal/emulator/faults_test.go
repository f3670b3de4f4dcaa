package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
)

// steppedClock is the emulator's clock in these tests. The client's backoff waits step it
// instead of sleeping, so an outage of seconds passes at once for both sides alike.
type steppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func newSteppedClock() *steppedClock { return &steppedClock{now: time.Unix(1735689600, 0)} }

func (c *steppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *steppedClock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// A fault with a duration applies from when it is added until its window ends.
func TestFaultTimeWindow(t *testing.T) {
	clock := newSteppedClock()
	emu := New(rongcloudFixture(), Options{Now: clock.Now})
	c := rongcloudClient(t, startEmulator(t, emu), "s3cret", client.Settings{NoRetries: true})
	if err := emu.AddFault(Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, Duration: "8s"}); err != nil {
		t.Fatal(err)
	}
	if err := deleteKeys(c, "G1", 3, "alice", "room", "a"); err == nil {
		t.Fatal("inside the window: want the 503")
	}
	_ = clock.sleep(context.Background(), 7900*time.Millisecond)
	if err := deleteKeys(c, "G1", 3, "alice", "room", "a"); err == nil {
		t.Fatal("7.9s into an 8s window: want the 503")
	}
	_ = clock.sleep(context.Background(), 100*time.Millisecond)
	if err := deleteKeys(c, "G1", 3, "alice", "room", "a"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if err := emu.AddFault(Fault{Kind: FaultReset, Duration: "soon"}); err == nil {
		t.Error("a duration that does not parse must be refused")
	}
}

// Every call answers 503 for 8 seconds, token included: the real Easemob client, with its
// default retry settings, rides it out and the deletion happens once.
func TestEightSecondOutageIsRiddenOutByDefault(t *testing.T) {
	clock := newSteppedClock()
	emu := New(easemobFixture(), Options{Now: clock.Now})
	if err := emu.AddFault(Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, Duration: "8s"}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(startEmulator(t, emu) + "/easemob")
	c, err := easemob.New(easemob.Config{OrgName: "org", AppName: "app", ClientID: "client-id", ClientSecret: easemobTestSecret,
		Now: clock.Now, Transport: client.Config{BaseURLs: []*url.URL{u}, Sleep: clock.sleep}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteChatMessages(context.Background(), "alice", "bob", []string{"c1", "c3"}, true, nil); err != nil {
		t.Fatalf("an 8s outage failed the call: %v", err)
	}
	wantView(t, "alice's chat with bob", emu.Snapshot().Easemob.ChatView("alice", "bob"), "c2", "c4")
	var refused, served int
	for _, r := range emu.Requests() {
		if r.Status == http.StatusServiceUnavailable {
			refused++
		} else {
			served++
		}
	}
	if refused < 5 || served != 2 {
		t.Errorf("%d answers 503, %d served; want the outage seen more than the old 5 attempts, then the token and one deletion", refused, served)
	}
}

// bulkEasemobFixture adds n messages from alice to bob, m0000 onwards.
func bulkEasemobFixture(n int) (Fixture, []string) {
	fixture := easemobFixture()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%04d", i)
		fixture.Easemob.Messages = append(fixture.Easemob.Messages, EasemobMessage{MsgID: ids[i], From: "alice", To: "bob", ChatType: "chat", Timestamp: t0})
	}
	return fixture, ids
}

// With the primary dead (every connection dropped) and the backup alive, only calls sent
// before anyone saw the primary fail try it: at most the first wave of concurrent calls.
func TestDeadPrimaryIsSkippedByAllButTheFirstWave(t *testing.T) {
	fixture, ids := bulkEasemobFixture(3000)
	emu := New(fixture, Options{DisableRateLimits: true})
	baseURL := startEmulator(t, emu)
	token := issuedToken(t, baseURL)
	if err := emu.AddFault(Fault{Kind: FaultReset, PathPrefix: "/easemob/", Duration: "10m"}); err != nil {
		t.Fatal(err)
	}
	primary, _ := url.Parse(baseURL + "/easemob")
	backup, _ := url.Parse(baseURL + "/easemob-backup")
	const concurrency = 10
	// A fixed token, so no token fetch warns the transport about the primary first: the
	// deletions themselves discover it.
	c, err := easemob.New(easemob.Config{OrgName: "org", AppName: "app", AppToken: token, Concurrency: concurrency,
		Transport: client.Config{BaseURLs: []*url.URL{primary, backup}}})
	if err != nil {
		t.Fatal(err)
	}
	progress, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, false, nil)
	if err != nil || progress.CallsDone != 60 {
		t.Fatalf("progress %+v, err %v; want all 60 calls done on the backup", progress, err)
	}
	onPrimary, onBackup := 0, 0
	for _, r := range emu.Requests() {
		switch r.Base {
		case "/easemob":
			onPrimary++
		case "/easemob-backup":
			onBackup++
		}
	}
	if onPrimary < 1 || onPrimary > concurrency || onBackup != 60 {
		t.Errorf("%d requests tried the dead primary, %d the backup; want 1..%d and 60", onPrimary, onBackup, concurrency)
	}
	wantView(t, "alice's chat with bob", emu.Snapshot().Easemob.ChatView("alice", "bob"), "c1", "c2", "c3", "c4")
	t.Logf("60 calls, %d concurrent: %d tried the dead primary, %d went to the backup", concurrency, onPrimary, onBackup)
}

// trackingServer serves handler and lets a test wait until no request is being served, so
// the store is read only after every request the client sent has been carried out.
type trackingServer struct {
	active sync.WaitGroup
	served atomic.Int32
}

func (s *trackingServer) start(t *testing.T, handler http.Handler) string {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.active.Add(1)
		defer s.active.Done()
		handler.ServeHTTP(w, r)
		s.served.Add(1)
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// A 3,000-ID deletion interrupted mid-run reports done + unknown never below what the vendor
// actually deleted: the calls in flight at the cancel are the vendor's to finish.
func TestInterruptedEasemobJobNeverUnderCounts(t *testing.T) {
	fixture, ids := bulkEasemobFixture(3000)
	emu := New(fixture, Options{})
	// Each deletion takes 300ms at the vendor, so a cancel always finds calls in flight.
	if err := emu.AddFault(Fault{Kind: FaultLatency, Latency: "300ms", PathPrefix: "/easemob/org/app/rest/"}); err != nil {
		t.Fatal(err)
	}
	var server trackingServer
	baseURL := server.start(t, emu.Handler())
	c := easemobClient(t, baseURL, easemobClientConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		progress client.ChunkProgress
		err      error
	}
	finished := make(chan result, 1)
	progressed := make(chan client.ChunkProgress, 100)
	go func() {
		p, err := c.DeleteChatMessages(ctx, "alice", "bob", ids, true, func(p client.ChunkProgress) { progressed <- p })
		finished <- result{p, err}
	}()
	for p := range progressed {
		if p.CallsDone >= 15 {
			break
		}
	}
	cancel()
	r := <-finished
	server.active.Wait()

	deleted := 3000 + 4 - len(emu.Snapshot().Easemob.ChatView("alice", "bob"))
	p := r.progress
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("err = %v, want the cancel", r.err)
	}
	if p.ItemsDone+p.ItemsUnknown < deleted {
		t.Errorf("reported %d done + %d unknown, but the vendor deleted %d", p.ItemsDone, p.ItemsUnknown, deleted)
	}
	if p.CallsUnknown == 0 || p.ItemsDone >= deleted {
		t.Errorf("progress %+v with %d deleted: the calls in flight at the cancel were not counted as unknown", p, deleted)
	}
	if p.CallsDone+p.CallsUnknown+p.CallsNotDone() != 60 || p.CallsNotDone() == 0 {
		t.Errorf("progress %+v does not account for all 60 calls", p)
	}
	t.Logf("interrupted with %d of 3,000 IDs deleted: %d done, %d unknown, %d not carried out", deleted, p.ItemsDone, p.ItemsUnknown, p.ItemsNotDone())
	for _, leak := range []string{"m0", "msgIdList", "Check api_url"} {
		if strings.Contains(r.err.Error(), leak) {
			t.Errorf("the error shows %q: %v", leak, r.err)
		}
	}
}
