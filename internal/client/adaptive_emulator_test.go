package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// TestTwoClientsShareOneQuota runs two independent clients (two Transports, as two provider
// processes would have) against one emulated app, each at its own default ceiling, so that
// together they ask for twice the quota: Easemob deletions at 100 calls/s each against the
// app's 100/s, and RongCloud group-extension deletions at 20/s each against the app's 20/s for
// group conversations (the app-wide 100/s then leaves room: only the group limit binds). The
// vendor counts in short windows (a tenth of a second's worth of calls at once) and answers each
// call after 50ms. Each client must notice the refusals and give way, so that together they
// converge on the quota: every ID or key deleted and nothing else, few calls refused (at most
// 5% of Easemob's, 8% of RongCloud's), and every call made within 1.5 times the floor. Without
// adaptation 7 to 12% of the Easemob calls are refused; with the group limit not adapting
// (only the app's), about 19% of the RongCloud ones.
//
// Each run is in a synctest bubble, with the emulator's handler called in memory: time is
// fake, so the outcome depends on the limiter's logic and not on how busy the machine is (on a
// starved machine an in-process emulator receives calls in clumps that no real vendor would;
// `make bench` measures the Easemob case through terraform, in real time). What still varies is
// the jitter of the retries' backoff and which client's calls meet the first refusals, so the
// test judges the median of nine runs, and every run against a looser bound.
func TestTwoClientsShareOneQuota(t *testing.T) {
	for _, vendor := range []quotaCase{easemobQuotaCase(), rongcloudGroupQuotaCase()} {
		t.Run(vendor.name, func(t *testing.T) {
			const runs = 9
			refusedShares := make([]float64, runs)
			spans := make([]time.Duration, runs)
			for run := range runs {
				calls, refused, span := shareOneQuota(t, vendor)
				refusedShares[run], spans[run] = float64(refused)/float64(calls), span
				t.Logf("run %d: %d calls, %d refused (%.1f%%), from first to last call %v (floor %v)", run+1, calls, refused, 100*refusedShares[run], span.Round(time.Millisecond), vendor.floor)
				if refusedShares[run] > 0.15 || span > 2*vendor.floor {
					t.Errorf("run %d: %.1f%% of calls refused in %v, want at most 15%% within %v in every run", run+1, 100*refusedShares[run], span, 2*vendor.floor)
				}
			}
			slices.Sort(refusedShares)
			slices.Sort(spans)
			if median := refusedShares[runs/2]; median > vendor.refusedMedian {
				t.Errorf("median share of calls refused %.1f%%, want at most %.0f%%", 100*median, 100*vendor.refusedMedian)
			}
			if median, want := spans[runs/2], vendor.floor*3/2; median > want {
				t.Errorf("median time from first to last call %v, want at most %v (1.5 times the %v floor)", median, want, vendor.floor)
			}
		})
	}
}

// quotaCase is one vendor's part in TestTwoClientsShareOneQuota.
type quotaCase struct {
	name    string
	fixture func() emulator.Fixture
	// job returns the run of one of the two jobs (owner 0 or 1), its client built with base
	// and httpClient.
	job func(t *testing.T, owner int, base *url.URL, httpClient *http.Client) func(context.Context) error
	// isCall tells the operation's calls from the other requests in the log (tokens).
	isCall func(emulator.RequestRecord) bool
	// checkStore checks that the jobs removed what they named, and only that.
	checkStore func(t *testing.T, after emulator.Snapshot)
	// floor is the two jobs' calls divided by the quota they share.
	floor time.Duration
	// refusedMedian bounds the median share of calls refused.
	refusedMedian float64
}

// easemobQuotaCase: each job deletes 5,000 message IDs of alice's chat with bob, 50 per call:
// 200 calls at 100/s, a 2s floor.
func easemobQuotaCase() quotaCase {
	const idsPerClient = 5_000
	var ids [2][]string
	var messages []emulator.EasemobMessage
	for owner := range ids {
		for i := range idsPerClient {
			id := fmt.Sprintf("%d%018d", owner+1, i)
			ids[owner] = append(ids[owner], id)
			messages = append(messages, emulator.EasemobMessage{MsgID: id, From: "alice", To: "bob", ChatType: "chat", Timestamp: 1_700_000_000_000})
		}
	}
	// A message of alice's that neither job names: it must stay.
	messages = append(messages, emulator.EasemobMessage{MsgID: "keep-me", From: "alice", To: "bob", ChatType: "chat", Timestamp: 1_700_000_000_000})
	return quotaCase{
		name: "easemob",
		fixture: func() emulator.Fixture {
			return emulator.Fixture{Easemob: &emulator.EasemobFixture{
				OrgName: "org", AppName: "app", ClientID: "client-id", ClientSecret: "client-secret-0123456789",
				Users: []string{"alice", "bob"}, Messages: slices.Clone(messages),
			}}
		},
		job: func(t *testing.T, owner int, base *url.URL, httpClient *http.Client) func(context.Context) error {
			c, err := easemob.New(easemob.Config{
				OrgName: "org", AppName: "app", ClientID: "client-id", ClientSecret: "client-secret-0123456789",
				Transport: client.Config{BaseURLs: []*url.URL{base.JoinPath("easemob")}, HTTPClient: httpClient},
			})
			if err != nil {
				t.Fatal(err)
			}
			return func(ctx context.Context) error {
				done, err := c.DeleteChatMessages(ctx, "alice", "bob", ids[owner], false, nil)
				if err != nil {
					return fmt.Errorf("after %+v: %w", done, err)
				}
				return nil
			}
		},
		isCall: func(r emulator.RequestRecord) bool { return r.Method == http.MethodDelete },
		checkStore: func(t *testing.T, after emulator.Snapshot) {
			if left := after.Easemob.ChatView("alice", "bob"); !slices.Equal(left, []string{"keep-me"}) {
				t.Errorf("alice's chat with bob holds %d messages after both jobs, want only keep-me", len(left))
			}
		},
		floor:         2 * time.Second,
		refusedMedian: 0.05,
	}
}

// rongcloudGroupQuotaCase: each job deletes 5,000 extension keys of its own group message, 100
// per call: 100 calls at the 20/s group limit, a 5s floor.
func rongcloudGroupQuotaCase() quotaCase {
	const keysPerClient = 5_000
	var keys [2][]string
	var messages []emulator.RongCloudMessage
	for owner := range keys {
		extensions := map[string]string{"pinned": "keep-me"}
		for i := range keysPerClient {
			key := fmt.Sprintf("k%d-%04d", owner+1, i)
			keys[owner] = append(keys[owner], key)
			extensions[key] = "v"
		}
		messages = append(messages, emulator.RongCloudMessage{
			MsgUID: fmt.Sprintf("MSG-%d", owner+1), FromUserID: "alice", ConversationType: "group", TargetID: "g1", Extensions: extensions,
		})
	}
	return quotaCase{
		name: "rongcloud group",
		fixture: func() emulator.Fixture {
			return emulator.Fixture{RongCloud: &emulator.RongCloudFixture{AppKey: "app-key", AppSecret: "app-secret", Messages: slices.Clone(messages)}}
		},
		job: func(t *testing.T, owner int, base *url.URL, httpClient *http.Client) func(context.Context) error {
			c, err := rongcloud.New(rongcloud.Config{
				AppKey: "app-key", AppSecret: "app-secret",
				Transport: client.Config{BaseURLs: []*url.URL{base.JoinPath("rongcloud")}, HTTPClient: httpClient},
			})
			if err != nil {
				t.Fatal(err)
			}
			return func(ctx context.Context) error {
				done, err := c.DeleteExtensions(ctx, rongcloud.ExtensionDelete{
					MessageUID: fmt.Sprintf("MSG-%d", owner+1), UserID: "alice", ConversationType: rongcloud.ConversationGroup, TargetID: "g1", ExtraKeys: keys[owner],
				}, nil)
				if err != nil {
					return fmt.Errorf("after %+v: %w", done, err)
				}
				return nil
			}
		},
		isCall: func(emulator.RequestRecord) bool { return true },
		checkStore: func(t *testing.T, after emulator.Snapshot) {
			for _, m := range after.RongCloud.Messages {
				if len(m.Extensions) != 1 || m.Extensions["pinned"] != "keep-me" {
					t.Errorf("message %s holds %d extensions after both jobs, want only the pinned one", m.MsgUID, len(m.Extensions))
				}
			}
		},
		floor: 5 * time.Second,
		// Half the calls of the Easemob case, each job at a fifth of the pace: the few refusals
		// that tell the two jobs to share weigh more (about 5% in the median run, 19% when only
		// the app-wide limiter adapts).
		refusedMedian: 0.08,
	}
}

// shareOneQuota runs the two jobs of vendor once, checks the emulator's store, and returns the
// calls made, those refused, and the time from the first call to the last.
func shareOneQuota(t *testing.T, vendor quotaCase) (calls, refused int, span time.Duration) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		emu := emulator.New(vendor.fixture(), emulator.Options{QuotaBurst: 100 * time.Millisecond})
		if err := emu.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Latency: "50ms"}); err != nil {
			t.Fatal(err)
		}
		base, _ := url.Parse("http://emulator.test")
		inMemory := &http.Client{Transport: handlerTransport{emu.Handler()}}

		var wg sync.WaitGroup
		for owner := range 2 {
			run := vendor.job(t, owner, base, inMemory)
			wg.Go(func() {
				// The second job starts a little later, as a second CI job would.
				time.Sleep(time.Duration(owner) * 300 * time.Millisecond)
				if err := run(context.Background()); err != nil {
					t.Errorf("job %d: %v", owner+1, err)
				}
			})
		}
		wg.Wait()

		vendor.checkStore(t, emu.Snapshot())
		var first, last time.Time
		for _, r := range emu.Requests() {
			if !vendor.isCall(r) {
				continue
			}
			at, err := time.Parse(time.RFC3339Nano, r.Time)
			if err != nil {
				t.Fatal(err)
			}
			if first.IsZero() {
				first = at
			}
			last = at
			calls++
			if r.Status == http.StatusTooManyRequests {
				refused++
			}
		}
		span = last.Sub(first)
	})
	return calls, refused, span
}

// handlerTransport serves requests with an http.Handler in the caller's goroutine, with no
// network in between.
type handlerTransport struct{ handler http.Handler }

func (h handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	recorder := httptest.NewRecorder()
	h.handler.ServeHTTP(recorder, r)
	resp := recorder.Result()
	resp.Request = r
	return resp, nil
}
