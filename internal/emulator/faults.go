package emulator

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// FaultKind names a failure the emulator can inject.
type FaultKind string

// The injectable failures.
const (
	// FaultStatus answers with Status (e.g. 503) and a plain body, as a gateway would.
	FaultStatus FaultKind = "status"
	// FaultRateLimit answers with the vendor's own rate-limit reply.
	FaultRateLimit FaultKind = "rate_limit"
	// FaultReset closes the connection without answering.
	FaultReset FaultKind = "reset"
	// FaultLatency waits Latency, then serves the request normally.
	FaultLatency FaultKind = "latency"
)

// Fault is one injected failure rule. Rules are checked in the order they were added; the
// first whose PathPrefix matches the full request path (prefix included) applies.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// PathPrefix selects requests, e.g. "/rongcloud/" or "/easemob/org/app/rest/message".
	// Empty matches every vendor request.
	PathPrefix string `json:"path_prefix,omitempty"`
	// Status is the HTTP status for FaultStatus (default 503).
	Status int `json:"status,omitempty"`
	// Latency is the delay for FaultLatency, as a Go duration ("300ms").
	Latency string `json:"latency,omitempty"`
	// Count limits how many requests the rule hits; 0 means every matching request.
	Count int `json:"count,omitempty"`
	// Duration makes the rule a time window, as a Go duration ("8s"): it applies from when it
	// is added until the window ends, then never again. Empty means no end. With PathPrefix
	// "/easemob/" and kind reset it plays a dead primary while "/easemob-backup/" answers.
	Duration string `json:"duration,omitempty"`
}

type faultRule struct {
	Fault
	delay     time.Duration
	remaining int
	// until ends a time-window rule; zero for a rule without one.
	until time.Time
}

// active reports whether the rule still applies at now.
func (r *faultRule) active(now time.Time) bool {
	if r.Count > 0 && r.remaining == 0 {
		return false
	}
	return r.until.IsZero() || now.Before(r.until)
}

type faultList []*faultRule

// AddFault switches a fault on.
func (e *Emulator) AddFault(f Fault) error {
	rule := &faultRule{Fault: f, remaining: f.Count}
	switch f.Kind {
	case FaultStatus:
		if rule.Status == 0 {
			rule.Status = http.StatusServiceUnavailable
		}
	case FaultLatency:
		d, err := time.ParseDuration(f.Latency)
		if err != nil || d <= 0 {
			return fmt.Errorf("latency fault needs a positive latency such as \"300ms\", got %q", f.Latency)
		}
		rule.delay = d
	case FaultRateLimit, FaultReset:
	default:
		return fmt.Errorf("unknown fault kind %q (expected status, rate_limit, reset or latency)", f.Kind)
	}
	var window time.Duration
	if f.Duration != "" {
		d, err := time.ParseDuration(f.Duration)
		if err != nil || d <= 0 {
			return fmt.Errorf("a fault's duration must be a positive duration such as \"8s\", got %q", f.Duration)
		}
		window = d
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if window > 0 {
		rule.until = e.opts.Now().Add(window)
	}
	e.faults = append(e.faults, rule)
	return nil
}

// ClearFaults switches every fault off.
func (e *Emulator) ClearFaults() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = nil
}

// applyFault injects the first matching fault; it reports whether the request was consumed.
// base is the mount prefix the request arrived on, for the request log.
func (e *Emulator) applyFault(w http.ResponseWriter, r *http.Request, v vendor, base string) bool {
	e.mu.Lock()
	var rule *faultRule
	now := e.opts.Now()
	for _, candidate := range e.faults {
		if !candidate.active(now) {
			continue
		}
		if strings.HasPrefix(r.URL.Path, candidate.PathPrefix) {
			rule = candidate
			if rule.Count > 0 {
				rule.remaining--
			}
			break
		}
	}
	e.mu.Unlock()
	if rule == nil {
		return false
	}
	if rule.Kind == FaultLatency {
		select {
		case <-time.After(rule.delay):
		case <-r.Context().Done():
		}
		return false
	}
	// The log shows what the client got: the status written, or 0 for a dropped connection.
	recorder := &statusRecorder{ResponseWriter: w}
	switch rule.Kind {
	case FaultStatus:
		http.Error(recorder, http.StatusText(rule.Status), rule.Status)
	case FaultRateLimit:
		v.rateLimitAnswer(recorder)
	case FaultReset:
		defer resetConnection(w)
	}
	e.mu.Lock()
	e.requests = append(e.requests, RequestRecord{Vendor: v.name(), Base: base, Method: r.Method, Path: strings.TrimPrefix(r.URL.EscapedPath(), base),
		Status: recorder.status, Time: e.opts.Now().UTC().Format(time.RFC3339Nano)})
	e.mu.Unlock()
	return true
}

// resetConnection drops the TCP connection with an RST, like a failing load balancer.
func resetConnection(w http.ResponseWriter) {
	hijacker, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hijacker.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func (e *Emulator) handleAddFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "fault is not valid JSON: " + err.Error()})
		return
	}
	if err := e.AddFault(f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

func (e *Emulator) handleClearFaults(w http.ResponseWriter, _ *http.Request) {
	e.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}
