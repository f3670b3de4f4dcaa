package client

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// Every test here runs in a synctest bubble: time.Now, timers and the limiter's own clock are
// fake and advance only when every goroutine of the test is blocked, so the timings asserted
// are exact and no test sleeps for real.

var refusal = &APIError{Vendor: "TestVendor", HTTPStatus: http.StatusTooManyRequests, RateLimited: true, Retryable: true}

// waitN lets n calls through one after another and returns how long that took.
func waitN(t *testing.T, a *AdaptiveLimiter, n int) time.Duration {
	t.Helper()
	start := time.Now()
	for range n {
		if err := a.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return time.Since(start)
}

func assertPace(t *testing.T, a *AdaptiveLimiter, want float64) {
	t.Helper()
	if got := a.Pace(); math.Abs(got-want) > 1e-9 {
		t.Errorf("pace = %v calls/s, want %v", got, want)
	}
}

func TestAdaptiveLimiterSpacesCallsAtTheCeiling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(10, nil)
		// 11 calls at 10/s with no burst: the first at once, then one every 100ms.
		if got := waitN(t, a, 11); got != time.Second {
			t.Errorf("11 calls took %v, want exactly 1s", got)
		}
		assertPace(t, a, 10)
	})
}

func TestAdaptiveLimiterNilLetsEverythingThrough(t *testing.T) {
	var a *AdaptiveLimiter
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Observe(time.Now(), refusal)
	if a.Pace() != 0 || a.Decreases() != 0 || NewAdaptiveLimiter(0, nil) != nil {
		t.Error("a nil limiter must do nothing and report nothing")
	}
}

func TestAdaptiveLimiterHalvesOncePerCongestionEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(100, nil)
		sent := time.Now()
		time.Sleep(50 * time.Millisecond)
		// Ten calls sent together at the old pace are all refused: one cut, not ten.
		for range 10 {
			a.Observe(sent, refusal)
		}
		if a.Decreases() != 1 {
			t.Fatalf("decreases = %d, want 1", a.Decreases())
		}
		assertPace(t, a, 50)
		// A refusal of a call sent after the cut, but within the quiet period, is the same event.
		time.Sleep(adaptiveQuietPeriod / 2)
		a.Observe(time.Now(), refusal)
		// So is a late answer to a call sent before the cut, even after the quiet period.
		time.Sleep(adaptiveQuietPeriod)
		a.Observe(sent, refusal)
		if a.Decreases() != 1 {
			t.Fatalf("decreases = %d after refusals of the same event, want 1", a.Decreases())
		}
		// A call sent at the new pace and refused after the quiet period is news: cut again,
		// from the pace reached by then (it has been recovering since the first cut).
		elapsed := adaptiveQuietPeriod / 2 * 3
		before := 50 + 100*elapsed.Seconds()/adaptiveRecovery.Seconds()
		a.Observe(time.Now(), refusal)
		if a.Decreases() != 2 {
			t.Fatalf("decreases = %d, want 2", a.Decreases())
		}
		assertPace(t, a, before/2)
	})
}

func TestAdaptiveLimiterIgnoresOtherOutcomes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(100, nil)
		for _, err := range []error{
			nil,
			&APIError{HTTPStatus: http.StatusServiceUnavailable, Retryable: true},
			&APIError{HTTPStatus: http.StatusBadRequest},
			&NetworkError{Err: errors.New("connection reset")},
		} {
			a.Observe(time.Now(), err)
		}
		if a.Decreases() != 0 {
			t.Errorf("decreases = %d, want 0: only rate-limit answers slow the client", a.Decreases())
		}
		// The signal is found through wrapping, as the transport returns it.
		a.Observe(time.Now(), fmt.Errorf("call 3 of 9: %w", refusal))
		if a.Decreases() != 1 {
			t.Errorf("decreases = %d, want 1 for a wrapped refusal", a.Decreases())
		}
	})
}

func TestAdaptiveLimiterStopsAtTheFloor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(100, nil)
		for range 20 {
			time.Sleep(quietPeriod(rate.Limit(a.Pace())))
			a.Observe(time.Now(), refusal)
		}
		assertPace(t, a, 100*adaptiveFloorShare)
		// Calls keep moving at the floor's pace: the next one goes an interval after the last
		// cut, 200ms at 5/s.
		if got := waitN(t, a, 1); got != 200*time.Millisecond {
			t.Errorf("a call at the floor waited %v, want 200ms", got)
		}
	})
}

func TestAdaptiveLimiterFloorOfASlowCeiling(t *testing.T) {
	// A ceiling of 1/s or less is not cut at all; 10/s is cut to no less than 1/s.
	for _, c := range []struct{ ceiling, floor float64 }{{0.5, 0.5}, {1, 1}, {10, 1}, {100, 5}, {200, 10}} {
		synctest.Test(t, func(t *testing.T) {
			a := NewAdaptiveLimiter(c.ceiling, nil)
			for range 20 {
				a.Observe(time.Now(), refusal)
				time.Sleep(quietPeriod(rate.Limit(a.Pace())))
			}
			a.Observe(time.Now(), refusal)
			assertPace(t, a, c.floor)
		})
	}
}

func TestAdaptiveLimiterRecoversLinearlyToTheCeilingAndNoFurther(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(100, nil)
		a.Observe(time.Now(), refusal)
		assertPace(t, a, 50)
		time.Sleep(adaptiveRecovery / 4)
		assertPace(t, a, 75)
		time.Sleep(adaptiveRecovery / 4)
		assertPace(t, a, 100)
		time.Sleep(adaptiveRecovery)
		assertPace(t, a, 100)
		// Back at the ceiling, calls are spaced exactly as before the refusal.
		if got := waitN(t, a, 101); got != time.Second {
			t.Errorf("101 calls after recovery took %v, want exactly 1s", got)
		}
	})
}

func TestAdaptiveLimiterSlowsCallersAlreadyQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(10, nil)
		// With no pacing history the first call goes at once; the next holds the slot at 100ms.
		if err := a.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		first := time.Now()
		var released time.Duration
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := a.Wait(context.Background()); err != nil {
				t.Error(err)
			}
			released = time.Since(first)
		}()
		synctest.Wait()
		// The first call comes back refused: the queued caller must not keep its old slot.
		a.Observe(first, refusal)
		<-done
		if released != 200*time.Millisecond {
			t.Errorf("the queued call went after %v, want 200ms (the slot at the new pace of 5/s), not its old 100ms slot", released)
		}
	})
}

// TestAdaptiveLimiterRequeuedCallersKeepMoving: callers queued at the old pace give up their
// places on a cut; the places they held must not stay spent, or no call at all would go for
// as long as the queue was (here half a second at 20/s, a second at the new 10/s).
func TestAdaptiveLimiterRequeuedCallersKeepMoving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(20, nil)
		waitN(t, a, 1)
		released := make(chan time.Time, 10)
		for range 10 {
			go func() {
				if err := a.Wait(context.Background()); err != nil {
					t.Error(err)
				}
				released <- time.Now()
			}()
		}
		synctest.Wait()
		cut := time.Now()
		a.Observe(cut, refusal)
		var times []time.Duration
		for range 10 {
			times = append(times, (<-released).Sub(cut))
		}
		slices.Sort(times)
		// The first goes one interval at the new pace after the cut, the rest follow at that
		// pace (10/s, held for 750ms and then climbing): all ten within a second.
		if times[0] != 100*time.Millisecond {
			t.Errorf("the first requeued call went %v after the cut, want 100ms (one interval at 10/s)", times[0])
		}
		if times[9] > time.Second {
			t.Errorf("the tenth requeued call went %v after the cut, want within 1s at about 10/s", times[9])
		}
	})
}

// TestAdaptiveLimiterQuietPeriodStretchesAtSlowPaces: at 10/s, a refusal half a second after a
// cut is still the same congestion event (another job's calls may not have met their own
// refusals yet), and the pace holds; after the time of adaptiveQuietCalls calls it is news.
// (At 100/s the quiet period is adaptiveQuietPeriod and the pace climbs at once: see
// TestAdaptiveLimiterHalvesOncePerCongestionEvent.)
func TestAdaptiveLimiterQuietPeriodStretchesAtSlowPaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(20, nil)
		a.Observe(time.Now(), refusal)
		time.Sleep(500 * time.Millisecond)
		a.Observe(time.Now(), refusal)
		if a.Decreases() != 1 {
			t.Fatalf("decreases = %d after a refusal 500ms into the quiet period, want 1", a.Decreases())
		}
		assertPace(t, a, 10)
		time.Sleep(500 * time.Millisecond)
		a.Observe(time.Now(), refusal)
		if a.Decreases() != 2 {
			t.Fatalf("decreases = %d after a refusal 1s after the cut, want 2", a.Decreases())
		}
	})
}

func TestAdaptiveLimiterRetryAfterPausesEveryCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(1000, nil)
		start := time.Now()
		limited := *refusal
		limited.RetryAfter = 3 * time.Second
		a.Observe(start, &limited)
		var wg sync.WaitGroup
		released := make([]time.Duration, 5)
		for i := range released {
			wg.Go(func() {
				if err := a.Wait(context.Background()); err != nil {
					t.Error(err)
				}
				released[i] = time.Since(start)
			})
		}
		wg.Wait()
		for i, d := range released {
			if d < 3*time.Second {
				t.Errorf("caller %d went after %v, before the 3s the vendor asked for", i, d)
			}
		}
		// A shorter Retry-After does not shorten a pause under way.
		pauseStart := time.Now()
		limited.RetryAfter = 2 * time.Second
		a.Observe(time.Now(), &limited)
		limited.RetryAfter = time.Second
		a.Observe(time.Now(), &limited)
		if got := waitN(t, a, 1); got != 2*time.Second {
			t.Errorf("call after pauses of 2s then 1s went after %v, want 2s", time.Since(pauseStart))
		}
	})
}

// The pause goes through the sleep the limiter was given (the Transport's Config.Sleep), once
// per pause: a test's sleep that returns at once must not make Wait spin or wait for real.
func TestAdaptiveLimiterPausesThroughTheGivenSleep(t *testing.T) {
	var slept []time.Duration
	a := NewAdaptiveLimiter(1000, func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	})
	limited := *refusal
	limited.RetryAfter = time.Hour
	a.Observe(time.Now(), &limited)
	start := time.Now()
	if err := a.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] < 59*time.Minute || time.Since(start) > time.Second {
		t.Errorf("slept %v in %v, want one sleep of about an hour through the given func", slept, time.Since(start))
	}
}

func TestAdaptiveLimiterWaitHonoursTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := NewAdaptiveLimiter(1, nil)
		if err := a.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The next slot is 1s away: a 100ms deadline fails at once, without waiting.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := a.Wait(ctx); err == nil || time.Since(start) != 0 {
			t.Errorf("Wait with a deadline before the slot = %v after %v, want an error at once", err, time.Since(start))
		}
		// A cancelled wait gives its slot back: the next caller gets it.
		ctx, cancelWait := context.WithCancel(context.Background())
		go func() {
			time.Sleep(200 * time.Millisecond)
			cancelWait()
		}()
		if err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait after cancel = %v, want context.Canceled", err)
		}
		if got := waitN(t, a, 1); time.Since(start) > time.Second {
			t.Errorf("the next call went %v after the cancel, later than the 1s slot", got)
		}
		// A pause is cut short by the context too.
		limited := *refusal
		limited.RetryAfter = time.Minute
		a.Observe(time.Now(), &limited)
		ctx, cancel = context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := a.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait during a pause = %v, want the context's deadline", err)
		}
	})
}

// TestTransportSlowsEveryCallerAfterARefusal checks the hook in Transport.Do: one refused call
// cuts the pace of the whole transport, so callers that never saw a refusal slow down too.
func TestTransportSlowsEveryCallerAfterARefusal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			mu    sync.Mutex
			calls []time.Time
		)
		roundTrip := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			defer mu.Unlock()
			calls = append(calls, time.Now())
			status := http.StatusOK
			if len(calls) == 1 {
				status = http.StatusTooManyRequests
			}
			return &http.Response{StatusCode: status, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		})
		transport := refusingTransport(t, roundTrip)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 10 {
					if _, err := transport.Do(context.Background(), &Request{Operation: "test call", Method: http.MethodGet, Path: "/", Check: okOrAPIError}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if transport.limiter.Decreases() != 1 {
			t.Errorf("decreases = %d, want 1", transport.limiter.Decreases())
		}
		// 41 calls (one refused and resent): at 100/s the 40 after the first take 400ms. After
		// the cut to 50/s, recovering at 10/s per second, they take t where 50t + 5t² = 40,
		// about 745ms.
		if got := calls[len(calls)-1].Sub(calls[0]); got < 700*time.Millisecond {
			t.Errorf("41 calls took %v after a refusal, want about 745ms: the pace was not cut for every caller", got)
		}
	})
}

// TestTransportRefusalCutsTheCallsOwnLimiter: a refused call that went through a limiter of
// its own (RongCloud's group limit) cuts that limiter, the tightest it went through, and
// leaves the vendor limiter, and so every other call of the client, at its pace.
func TestTransportRefusalCutsTheCallsOwnLimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		refused := false
		roundTrip := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			status := http.StatusOK
			if !refused {
				refused, status = true, http.StatusTooManyRequests
			}
			return &http.Response{StatusCode: status, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
		})
		transport := refusingTransport(t, roundTrip)
		group := NewAdaptiveLimiter(20, nil)
		req := &Request{Operation: "test call", Method: http.MethodGet, Path: "/", Check: okOrAPIError, ExtraLimiters: []*AdaptiveLimiter{group}}
		if _, err := transport.Do(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if group.Decreases() != 1 || transport.limiter.Decreases() != 0 {
			t.Errorf("decreases: the call's own limiter %d, the vendor limiter %d; want 1 and 0", group.Decreases(), transport.limiter.Decreases())
		}
	})
}

// refusingTransport is a 100/s transport on roundTrip that does not wait between attempts.
func refusingTransport(t *testing.T, roundTrip roundTripFunc) *Transport {
	t.Helper()
	base, _ := url.Parse("https://api.example")
	transport, err := NewTransport(Config{
		Vendor: "TestVendor", BaseURLs: []*url.URL{base}, HTTPClient: &http.Client{Transport: roundTrip},
		Settings: Settings{RequestsPerSecond: 100},
		Sleep:    func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return transport
}

// okOrAPIError accepts a 200 and makes anything else the vendor's error.
func okOrAPIError(resp *http.Response, _ []byte) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return &APIError{Vendor: "TestVendor", HTTPStatus: resp.StatusCode}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
