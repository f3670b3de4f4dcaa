package client

import (
	"context"
	"sync"
	"time"
)

// baseHealth is the failover state of one transport, shared by every call of the vendor
// client: a base URL that failed (no answer, or a 5xx) is skipped by all of them for a
// cool-down, and afterwards one attempt probes it while the others keep to the base that
// works. Without it each call would try a dead primary first, doubling the load on a sick
// server and adding a failed attempt to every call. Hand-rolled because it is a few fields
// under a mutex; a circuit-breaker library would bring states and settings nobody here uses.
type baseHealth struct {
	mu       sync.Mutex
	now      func() time.Time
	cooldown time.Duration
	// sickUntil is zero for a base URL that answers, else the end of its cool-down.
	sickUntil []time.Time
	// current is the base URL the latest successful attempt used, so a success elsewhere is
	// logged as a switch.
	current int
}

func newBaseHealth(bases int, cooldown time.Duration, now func() time.Time) *baseHealth {
	return &baseHealth{now: now, cooldown: cooldown, sickUntil: make([]time.Time, bases)}
}

// pick returns the base URL for the next attempt: the first, in the configured order, that is
// healthy or whose cool-down is over. Taking one whose cool-down is over makes this attempt
// its probe: the base stays skipped by the others for another cool-down unless the probe
// succeeds. When every base is sick, the one whose cool-down ends first is used all the same,
// since a call must go somewhere.
func (h *baseHealth) pick() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	soonest := 0
	for i, until := range h.sickUntil {
		if until.IsZero() {
			return i
		}
		if !now.Before(until) {
			h.sickUntil[i] = now.Add(h.cooldown)
			return i
		}
		if until.Before(h.sickUntil[soonest]) {
			soonest = i
		}
	}
	return soonest
}

// healthyOtherThan reports whether some base URL other than base can take an attempt now.
func (h *baseHealth) healthyOtherThan(base int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	for i, until := range h.sickUntil {
		if i != base && (until.IsZero() || !now.Before(until)) {
			return true
		}
	}
	return false
}

// report records how an attempt on base went, and logs at DEBUG when the transport switches
// away from a base URL or to another one.
func (h *baseHealth) report(ctx context.Context, t *Transport, base int, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil && shouldFailOver(err) {
		if h.sickUntil[base].IsZero() {
			t.log(ctx, "base URL failed; skipping it for every call during the cool-down", map[string]any{
				"vendor": t.cfg.Vendor, "base_url": t.addresses[base], "cooldown": h.cooldown.String(),
				"error": t.cfg.Redactor.String(err.Error()),
			})
		}
		h.sickUntil[base] = h.now().Add(h.cooldown)
		return
	}
	// Any answer that is not a server error shows the base URL is up.
	h.sickUntil[base] = time.Time{}
	if err == nil && base != h.current {
		msg := "switched to another base URL"
		if base < h.current {
			msg = "switched back to a base URL that answers again"
		}
		t.log(ctx, msg, map[string]any{"vendor": t.cfg.Vendor, "from": t.addresses[h.current], "to": t.addresses[base]})
		h.current = base
	}
}
