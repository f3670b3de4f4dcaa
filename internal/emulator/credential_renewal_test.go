package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/tencentim"
)

// steppingServer serves an emulator whose clock moves on by step after every request, as time
// passes during a long run, so a test spans several short credential lifetimes in a moment.
// Every tenth vendor call is answered 503 first, like a flaky gateway, so calls are retried
// after other calls moved the clock on. It counts the answers that refused a credential.
type steppingServer struct {
	step time.Duration

	mu       sync.Mutex
	now      time.Time
	calls    int
	refusals int
}

func (s *steppingServer) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *steppingServer) start(t *testing.T, emu *Emulator) string {
	t.Helper()
	inner := emu.Handler()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			s.mu.Lock()
			s.now = s.now.Add(s.step)
			s.mu.Unlock()
		}()
		credentialCall := strings.HasSuffix(r.URL.Path, "/token")
		s.mu.Lock()
		s.calls++
		flaky := !credentialCall && s.calls%10 == 0
		s.mu.Unlock()
		if flaky {
			http.Error(w, "gateway hiccup", http.StatusServiceUnavailable)
			return
		}
		answer := httptest.NewRecorder()
		inner.ServeHTTP(answer, r)
		// Easemob refuses an expired token with 401; Tencent answers 70001 with HTTP 200.
		if answer.Code == http.StatusUnauthorized || strings.Contains(answer.Body.String(), `"ErrorCode":70001`) {
			s.mu.Lock()
			s.refusals++
			s.mu.Unlock()
		}
		for k, v := range answer.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(answer.Code)
		_, _ = w.Write(answer.Body.Bytes())
	}))
	t.Cleanup(server.Close)
	return server.URL
}

// steppingStart is when every stepping run begins, on the emulator's clock.
var steppingStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// counts returns how many answers refused a credential, and how much emulator time passed.
func (s *steppingServer) counts() (refusals int, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals, s.now.Sub(steppingStart)
}

// A chunked deletion that spans several one-minute token lifetimes, with calls in flight at
// every renewal and retries after 503s, is never refused for an expired token: the client
// renews ahead of expiry, once for all calls, and looks the token up for every attempt.
func TestEasemobRunAcrossShortTokenLifetimesIsNeverRefused(t *testing.T) {
	// The clock moves with requests, not with real time, so a call that is descheduled between
	// taking its token and reaching the emulator sees the other calls' requests move the clock
	// on. Three calls in flight and a quarter second per request keep that far inside the
	// renewal margin (6 s = 24 requests of the other two), however loaded the machine is; the
	// backoff of a tenth of a second is long enough for a token taken before it (the old way) to
	// expire meanwhile.
	clock := &steppingServer{now: steppingStart, step: 250 * time.Millisecond}
	fixture := easemobFixture()
	fixture.Easemob.TokenTTLSeconds = 60
	emu := New(fixture, Options{Now: clock.Now, DisableRateLimits: true})
	baseURL := clock.start(t, emu)
	c := easemobClient(t, baseURL, easemobClientConfig{now: clock.Now, concurrency: 3, settings: client.Settings{
		RequestsPerSecond: 1e6, MinBackoff: 100 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
	}})
	ids := make([]string, 1200*50)
	for i := range ids {
		ids[i] = fmt.Sprintf("%019d", i)
	}
	done, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, true, nil)
	if err != nil {
		t.Fatalf("after %d of %d calls: %v", done.CallsDone, done.CallsTotal, err)
	}
	refusals, elapsed := clock.counts()
	if refusals != 0 {
		t.Errorf("the emulator refused %d calls for an expired token", refusals)
	}
	lifetimes := int(elapsed / time.Minute)
	if lifetimes < 4 {
		t.Fatalf("the run spanned %s of emulator time, want several token lifetimes", elapsed)
	}
	// One token per 54 s (renewed with a tenth of its minute left), and no more.
	issued := emu.Snapshot().Easemob.TokensIssued
	if want := int(elapsed/(54*time.Second)) + 1; issued < lifetimes || issued > want {
		t.Errorf("tokens issued = %d over %s, want between %d and %d", issued, elapsed, lifetimes, want)
	}
}

// The same for Tencent: UserSigs of one minute, regenerated ahead of expiry, are never
// refused with 70001 across a run of several lifetimes.
func TestTencentIMRunAcrossShortUserSigLifetimesIsNeverRefused(t *testing.T) {
	clock := &steppingServer{now: steppingStart, step: 500 * time.Millisecond}
	emu := New(tencentFixture(), Options{Now: clock.Now, DisableRateLimits: true})
	baseURL := clock.start(t, emu)
	base, err := url.Parse(baseURL + "/tencentim")
	if err != nil {
		t.Fatal(err)
	}
	c, err := tencentim.New(tencentim.Config{
		SDKAppID: tencentAppID, Identifier: tencentAdmin, SecretKey: tencentKey, UserSigValidity: time.Minute, Now: clock.Now,
		Transport: client.Config{BaseURLs: []*url.URL{base}, Settings: client.Settings{
			RequestsPerSecond: 1e6, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ten workers, like the provider's chunk concurrency: the clock moves at most a few
	// seconds between a UserSig being handed out and the emulator checking it.
	const workers, callsEach = 10, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range callsEach {
				if err := recall(c, tencentPublic, "spammer", ""); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	refusals, elapsed := clock.counts()
	if refusals != 0 {
		t.Errorf("the emulator refused %d calls for an expired UserSig", refusals)
	}
	if elapsed < 4*time.Minute {
		t.Fatalf("the run spanned %s of emulator time, want several UserSig lifetimes", elapsed)
	}
}
