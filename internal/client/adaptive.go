package client

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// How an AdaptiveLimiter reacts to the vendor's rate-limit answers. A vendor's quota is per
// app, and the provider is never alone on it: the customer's own servers and other jobs draw
// on the same calls per second. A refusal means the app as a whole is over its quota, so the
// provider gives up half of its pace at once, then claims it back slowly, the way TCP shares a
// link (additive increase, multiplicative decrease): two jobs that each start at the full
// quota settle on about half each, with few refusals, and a lone job regains the full pace.
const (
	// adaptiveDecrease multiplies the pace on a refusal.
	adaptiveDecrease = 0.5
	// adaptiveQuietPeriod is the least time between two cuts. Refusals come in bursts: every
	// call already sent at the old pace may be refused before the lower pace shows, and one
	// congestion event must halve the pace once, not once per call it refuses.
	adaptiveQuietPeriod = 250 * time.Millisecond
	// adaptiveQuietCalls stretches the quiet period at slow paces to the time of this many calls,
	// and the cut pace holds through the stretch: another job on the app meets its own refusals
	// only as its calls go out, and until it has slowed down too, the refusals it causes are the
	// same event, and climbing back would only meet them again. Two RongCloud jobs on the 20/s
	// group limit (TestTwoClientsShareOneQuota, 30 runs): without the stretch the slowest tenth
	// of runs took 2.3 times the floor, with it 1.4 times.
	adaptiveQuietCalls = 10
	// adaptiveRecovery is how long the pace takes to climb from nothing back to the ceiling,
	// linearly, once a cut has held (see adaptiveQuietCalls) and while no refusal comes: from
	// half the ceiling, half of it.
	adaptiveRecovery = 10 * time.Second
	// adaptiveFloorShare is the lowest pace, as a share of the ceiling: low enough to let the
	// app's own traffic through, high enough that a job still moves (5 calls/s at 100/s).
	adaptiveFloorShare = 1.0 / 20
)

// AdaptiveLimiter paces every call of one vendor client, shared by every goroutine that uses
// the client's Transport, and adapts that pace to the vendor's rate-limit answers: each
// refusal (at most one per congestion event) halves it, down to a floor; while none comes it
// climbs back linearly to the configured ceiling, never above (at slow paces after holding a
// while, see adaptiveQuietCalls); a Retry-After pauses every caller until the time the vendor
// named. Calls are spaced evenly, with no burst, so no
// one-second window ever holds more calls than the pace however the vendor counts. A nil
// *AdaptiveLimiter lets everything through.
type AdaptiveLimiter struct {
	mu      sync.Mutex
	limiter *rate.Limiter
	ceiling rate.Limit
	floor   rate.Limit
	// slope is the recovery in calls per second gained per second.
	slope rate.Limit
	// paceFrom is the pace the last cut set (the ceiling before any); it holds until the cut's
	// quiet period has adaptiveQuietPeriod left, and climbs from there (see paceAt).
	paceFrom rate.Limit
	// lastDecrease is when the pace was last cut: refusals of calls let through before then
	// were caused by the old pace and are not counted again. Until quietUntil, refusals are
	// part of the same congestion event.
	lastDecrease time.Time
	quietUntil   time.Time
	pausedUntil  time.Time
	// sleep waits out a pause (Transport's Config.Sleep, so tests need not wait an hour).
	sleep func(ctx context.Context, d time.Duration) error
	// slowed is closed, and replaced, whenever the pace drops or a pause starts, so that callers
	// already holding a place in the queue at the old pace take a new one.
	slowed chan struct{}
	// decreases counts the cuts, for tests and benchmarks.
	decreases int
}

// NewAdaptiveLimiter returns an adaptive limiter whose ceiling is perSecond calls per second,
// or nil (no limit) when perSecond is not positive. sleep waits out the pauses a Retry-After
// asks for (nil: a timer).
func NewAdaptiveLimiter(perSecond float64, sleep func(ctx context.Context, d time.Duration) error) *AdaptiveLimiter {
	if perSecond <= 0 {
		return nil
	}
	if sleep == nil {
		sleep = sleepContext
	}
	ceiling := rate.Limit(perSecond)
	return &AdaptiveLimiter{
		limiter:  rate.NewLimiter(ceiling, 1),
		ceiling:  ceiling,
		floor:    max(ceiling*adaptiveFloorShare, min(ceiling, 1)),
		slope:    ceiling / rate.Limit(adaptiveRecovery.Seconds()),
		paceFrom: ceiling,
		sleep:    sleep,
		slowed:   make(chan struct{}),
	}
}

// Wait blocks until the caller may send one call, or ctx is done.
func (a *AdaptiveLimiter) Wait(ctx context.Context) error {
	if a == nil {
		return nil
	}
	// pausedFor is the end of the pause this caller has already slept through, so that a
	// sleep that returns early (a test's) lets it go on rather than sleep again.
	var pausedFor time.Time
	for {
		a.mu.Lock()
		now := time.Now()
		slowed := a.slowed
		if pause := a.pausedUntil.Sub(now); pause > 0 && !a.pausedUntil.Equal(pausedFor) {
			pausedFor = a.pausedUntil
			a.mu.Unlock()
			if err := a.sleep(ctx, pause); err != nil {
				return err
			}
			continue
		}
		a.limiter.SetLimitAt(now, a.paceAt(now))
		reservation := a.limiter.ReserveN(now, 1)
		a.mu.Unlock()
		delay := reservation.DelayFrom(now)
		if delay == 0 {
			return nil
		}
		if deadline, ok := ctx.Deadline(); ok && deadline.Before(now.Add(delay)) {
			reservation.Cancel()
			return errors.New("rate: waiting for a free slot would run past the deadline")
		}
		switch err := sleepUnlessSlowed(ctx, delay, slowed); {
		case err == nil:
			return nil
		case errors.Is(err, errSlowed):
			// The place was taken at a pace that is now too fast: give it up and queue again.
			reservation.Cancel()
		default:
			reservation.Cancel()
			return err
		}
	}
}

// Observe learns from the outcome of a call let through at sent. A rate-limit answer cuts the
// pace, unless the call was sent before the last cut (it saw the old pace) or the last cut's
// quiet period is not over; a Retry-After pauses every caller until then. Other outcomes
// change nothing: the pace recovers with time, not with successes, so an idle client is back
// at its ceiling.
func (a *AdaptiveLimiter) Observe(sent time.Time, err error) {
	var apiErr *APIError
	if a == nil || !errors.As(err, &apiErr) || !apiErr.RateLimited {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	slowDown := false
	if until := now.Add(apiErr.RetryAfter); apiErr.RetryAfter > 0 && until.After(a.pausedUntil) {
		a.pausedUntil = until
		slowDown = true
	}
	if !sent.Before(a.lastDecrease) && !now.Before(a.quietUntil) {
		a.paceFrom = max(a.floor, a.paceAt(now)*adaptiveDecrease)
		a.quietUntil = now.Add(quietPeriod(a.paceFrom))
		a.lastDecrease = now
		a.decreases++
		slowDown = true
	}
	if slowDown {
		// Callers queued at the old pace give up their places and queue again. Cancelling a
		// reservation hands back its token only when no later one was made, so on the old
		// limiter the places they held would stay spent: with ten callers queued, a second's
		// worth at the new pace with no call at all. They queue on a fresh limiter instead,
		// whose bucket starts empty: the next call waits one interval at the new pace.
		a.limiter = rate.NewLimiter(a.paceAt(now), 1)
		a.limiter.ReserveN(now, 1)
		close(a.slowed)
		a.slowed = make(chan struct{})
	}
}

// quietPeriod is how long a cut to pace holds before the pace climbs again or can be cut
// again: adaptiveQuietPeriod, or at a slow pace the time of adaptiveQuietCalls calls.
func quietPeriod(pace rate.Limit) time.Duration {
	return max(adaptiveQuietPeriod, time.Duration(adaptiveQuietCalls/float64(pace)*float64(time.Second)))
}

// Pace returns the calls per second the limiter lets through now.
func (a *AdaptiveLimiter) Pace() float64 {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return float64(a.paceAt(time.Now()))
}

// Decreases returns how many times the pace has been cut.
func (a *AdaptiveLimiter) Decreases() int {
	if a == nil {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.decreases
}

// paceAt is the pace at now: paceFrom, plus the recovery since the climb began, at most the
// ceiling. The climb begins when the last cut's quiet period has adaptiveQuietPeriod left: at
// once at the pace of a fast limiter, after holding through the stretch at a slow one.
func (a *AdaptiveLimiter) paceAt(now time.Time) rate.Limit {
	if a.paceFrom >= a.ceiling {
		return a.ceiling
	}
	climbing := now.Sub(a.quietUntil.Add(-adaptiveQuietPeriod))
	return min(a.ceiling, a.paceFrom+a.slope*rate.Limit(max(0, climbing.Seconds())))
}

// errSlowed reports that the limiter slowed down while a caller was waiting.
var errSlowed = errors.New("the limiter slowed down")

// sleepUnlessSlowed waits for d, for ctx to be done (its error) or for slowed to be closed
// (errSlowed).
func sleepUnlessSlowed(ctx context.Context, d time.Duration, slowed <-chan struct{}) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-slowed:
		return errSlowed
	case <-ctx.Done():
		return ctx.Err()
	}
}
