// Package emulator serves fake RongCloud, Easemob and Tencent Cloud IM server APIs on loopback,
// for the provider's tests, the demo and users' own dry runs. Each vendor answers on its real
// paths below its own prefix (/rongcloud, /easemob, /tencentim), checks auth the way the
// vendor does, enforces the documented limits, and keeps a message store whose changes can be
// inspected through the admin API (/_admin/...) or Snapshot. Faults (5xx, rate-limit answers,
// connection resets, latency) can be switched on per path prefix.
package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options tune an emulator; zero values keep the vendors' documented behaviour.
type Options struct {
	// Now replaces the clock (token and UserSig expiry, quotas, message times).
	Now func() time.Time
	// DisableRateLimits turns the per-vendor call ceilings off, for tests about something else.
	DisableRateLimits bool
	// Strict refuses, with the vendor's own error shape, a request that names data the store
	// does not hold (a message, key, broadcast, user, group or sender) or that would match
	// nothing, where the vendors themselves answer "ok". A rehearsal against a fixture that
	// lacks its targets then fails instead of passing while changing nothing. See strict.go.
	Strict bool
	// QuotaBurst is how much of a per-second quota a vendor admits back to back, as a span of
	// time's worth of calls (see quotaLimiter). Zero admits a whole second's worth.
	QuotaBurst time.Duration
}

// Emulator is the fake vendors plus their shared state. Safe for concurrent use.
type Emulator struct {
	mu       sync.Mutex
	opts     Options
	vendors  []vendor
	faults   faultList
	requests []RequestRecord

	rongcloud *rongcloudVendor
	easemob   *easemobVendor
	tencentim *tencentimVendor
}

// vendor is one fake platform, mounted below "/" + name().
type vendor interface {
	name() string
	// serve handles a request whose path has had the vendor prefix removed. It runs with the
	// emulator's lock held, so handlers read and change the store freely.
	serve(w http.ResponseWriter, r *http.Request)
	// rateLimitAnswer writes the vendor's own "too many requests" reply.
	rateLimitAnswer(w http.ResponseWriter)
	// load replaces the vendor's store with the fixture's part for it.
	load(f Fixture)
	// snapshot returns a copy of the vendor's store for inspection.
	snapshot(s *Snapshot)
}

// New returns an emulator holding the fixture's data.
func New(fixture Fixture, opts Options) *Emulator {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Emulator{opts: opts}
	e.rongcloud = newRongCloudVendor(e)
	e.easemob = newEasemobVendor(e)
	e.tencentim = newTencentIMVendor(e)
	e.vendors = []vendor{e.rongcloud, e.easemob, e.tencentim}
	e.Load(fixture)
	return e
}

// Load replaces every store with the fixture's data and forgets faults and the request log.
func (e *Emulator) Load(f Fixture) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range e.vendors {
		v.load(f)
	}
	e.faults = nil
	e.requests = nil
}

// Snapshot returns a copy of every store.
func (e *Emulator) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s Snapshot
	for _, v := range e.vendors {
		v.snapshot(&s)
	}
	return s
}

// Requests returns the log of vendor requests served so far (admin calls excluded).
func (e *Emulator) Requests() []RequestRecord {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]RequestRecord{}, e.requests...)
}

// RequestRecord is one vendor request as the emulator saw it.
type RequestRecord struct {
	Vendor string `json:"vendor"`
	// Base is the mount prefix the request arrived on ("/rongcloud" or "/rongcloud-backup"),
	// so the log shows whether a client failed over to the backup.
	Base   string `json:"base"`
	Method string `json:"method"`
	// Path is the vendor path, below the vendor prefix, as sent (escaped).
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Body   string `json:"body,omitempty"`
	Status int    `json:"status"`
	Time   string `json:"time"`
	// Matched is how many stored messages, extension keys or broadcasts the request named and
	// found: what it changed, or would have changed had it not been refused. Nil for requests
	// that do not act on the store (token requests, requests refused before the lookup).
	Matched *int `json:"matched,omitempty"`
	// MatchedNothing flags a request that acted on the store and found nothing to change: a
	// rehearsal whose requests all carry it proved nothing.
	MatchedNothing bool `json:"matched_nothing,omitempty"`
}

// Handler serves the vendors and the admin API.
func (e *Emulator) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, v := range e.vendors {
		prefix := "/" + v.name()
		mux.Handle(prefix+"/", e.vendorHandler(v, prefix))
		// A second prefix per vendor lets tests and demos point a backup base URL at the
		// same store, and inject faults into one of the two only.
		mux.Handle(prefix+"-backup/", e.vendorHandler(v, prefix+"-backup"))
	}
	mux.HandleFunc("GET /_admin/state", e.handleState)
	mux.HandleFunc("GET /_admin/requests", e.handleRequests)
	mux.HandleFunc("PUT /_admin/fixture", e.handleFixture)
	mux.HandleFunc("POST /_admin/faults", e.handleAddFault)
	mux.HandleFunc("DELETE /_admin/faults", e.handleClearFaults)
	return mux
}

func (e *Emulator) vendorHandler(v vendor, prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		if e.applyFault(w, r, v, prefix) {
			return
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		r.URL.Path = strings.TrimPrefix(r.URL.Path, prefix)
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
		}
		recorder := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		v.serve(recorder, r)
		e.requests = append(e.requests, RequestRecord{
			Vendor: v.name(), Base: prefix, Method: r.Method, Path: r.URL.EscapedPath(), Query: maskQuery(r.URL.Query()),
			Body: maskBody(body), Status: recorder.status, Time: e.opts.Now().UTC().Format(time.RFC3339Nano),
			Matched: recorder.matched, MatchedNothing: recorder.matched != nil && *recorder.matched == 0,
		})
	})
}

func (e *Emulator) handleState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Snapshot())
}

func (e *Emulator) handleRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.Requests())
}

// handleFixture replaces the store, after the checks LoadFixtureFile makes: a fixture with an
// unknown field or that Validate rejects is answered 400 and the store is left as it was.
func (e *Emulator) handleFixture(w http.ResponseWriter, r *http.Request) {
	f, err := decodeFixture(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	e.Load(f)
	writeJSON(w, http.StatusOK, e.Snapshot())
}

// statusRecorder remembers the status a vendor handler wrote, and what it matched in the
// store, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	matched *int
}

// noteMatched records on w, the recorder a vendor handler writes to, how many stored items
// the request matched. Handlers call it once they have looked the request's targets up.
func noteMatched(w http.ResponseWriter, n int) {
	if recorder, ok := w.(*statusRecorder); ok {
		recorder.matched = &n
	}
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// maskQuery hides credentials that travel in the URL (Tencent's usersig), so the request log
// can be shown in a demo or a CI log.
func maskQuery(q url.Values) string {
	for k := range q {
		if strings.EqualFold(k, "usersig") {
			q.Set(k, "***")
		}
	}
	return q.Encode()
}

// maskBody hides a client secret sent to a token endpoint.
func maskBody(body string) string {
	var doc map[string]any
	if json.Unmarshal([]byte(body), &doc) != nil {
		return body
	}
	if _, ok := doc["client_secret"]; !ok {
		return body
	}
	doc["client_secret"] = "***"
	masked, _ := json.Marshal(doc)
	return string(masked)
}

// readBody reads the request body and puts it back, so the log can show it and the vendor
// handler can still parse it.
func readBody(r *http.Request) string {
	if r.Body == nil {
		return ""
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return ""
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return string(data)
}
