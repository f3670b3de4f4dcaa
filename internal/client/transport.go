package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Logger receives the transport's debug lines. Every message and field value it is given has
// already been redacted. The provider backs it with tflog; tests back it with a buffer.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// RetryPolicy decides which failures a request may be sent again after.
type RetryPolicy int

const (
	// RetryTransient resends after network errors, 5xx and vendor rate-limit answers.
	RetryTransient RetryPolicy = iota
	// RetryOnlyUnsent resends only when the request certainly never reached the server. It is
	// for calls with a tiny quota or no idempotency, where a blind retry could burn the quota
	// or act twice.
	RetryOnlyUnsent
)

// Defaults of the retry and failover settings.
const (
	// DefaultRetryTimeout is how long one call keeps being retried by default. A vendor's
	// gateway restart or rolling deploy answers 502/503 or drops connections for seconds up
	// to about half a minute; a minute rides that out with room to spare, while a real outage
	// still fails a run within about a minute instead of hanging it.
	DefaultRetryTimeout = time.Minute
	// DefaultFailoverCooldown is how long a base URL that failed is skipped: one probe per
	// cool-down is all the load a sick server gets from a long run, and a recovered primary
	// gets the traffic back within half a minute.
	DefaultFailoverCooldown = 30 * time.Second
)

// Settings tune a transport. Zero values take the defaults noted on each field.
type Settings struct {
	// MaxRetries caps how many times a failed request is resent; 0 leaves RetryTimeout alone
	// in charge, unless NoRetries is set.
	MaxRetries int
	// NoRetries makes a failed request final (MaxRetries 0 in the provider configuration).
	NoRetries bool
	// RetryTimeout bounds the retries of one call: no attempt starts once this much time has
	// passed since its first (default DefaultRetryTimeout). An attempt already sent still has
	// RequestTimeout to finish.
	RetryTimeout time.Duration
	// RequestTimeout bounds one attempt, including reading the answer (default 30s).
	RequestTimeout time.Duration
	// RequestsPerSecond is the client-side ceiling shared by every caller of this transport.
	RequestsPerSecond float64
	// MinBackoff and MaxBackoff bound the exponential backoff between attempts
	// (defaults 200ms and 10s). Rate-limit answers start at four times MinBackoff.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// FailoverCooldown is how long a base URL that failed is skipped by every call (default
	// DefaultFailoverCooldown).
	FailoverCooldown time.Duration
}

// Config builds a Transport for one vendor.
type Config struct {
	// Vendor names the platform in errors and logs.
	Vendor string
	// BaseURLs are tried in order; one that fails (network error or 5xx) is skipped by every
	// call for a cool-down, then probed again.
	BaseURLs []*url.URL
	// AddressSettings names the provider settings that choose BaseURLs ("region or api_urls"),
	// for the advice in network errors.
	AddressSettings string
	// HTTPClient sends the requests (default: a client with no overall timeout, since each
	// attempt has its own).
	HTTPClient *http.Client
	// UserAgent is sent on every request.
	UserAgent string
	Settings  Settings
	// Redactor masks secrets in every logged line and every error that shows a URL.
	Redactor *Redactor
	// Logger receives redacted request and answer lines; nil logs nothing.
	Logger Logger
	// Sleep waits between attempts; tests replace it to avoid real waiting.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock of the failover cool-downs; tests replace it.
	Now func() time.Time
}

// Transport sends vendor requests: it rate-limits, signs each attempt afresh, times out,
// retries with exponential backoff and jitter within a time budget, fails over across base
// URLs, and logs with secrets masked. One Transport per vendor per provider process, shared by
// every operation, so the limiter and the failover state cover every call at once.
type Transport struct {
	cfg     Config
	limiter *AdaptiveLimiter
	// maxAttempts caps the attempts of one call; 0 leaves retryTimeout alone in charge.
	maxAttempts  int
	retryTimeout time.Duration
	timeout      time.Duration
	minWait      time.Duration
	maxWait      time.Duration
	// addresses are the base URLs as errors show them: redacted, nothing below the base.
	addresses []string
	health    *baseHealth
}

// Request is one logical vendor call, which may take several attempts.
type Request struct {
	// Operation describes the call in errors ("delete message extensions").
	Operation string
	Method    string
	// Path is appended to the base URL's own path, so a gateway prefix survives. It must be
	// escaped already (url.PathEscape each segment that holds user input).
	Path string
	// Query is encoded onto the URL; PrepareQuery may add per-attempt values.
	Query url.Values
	// Body and ContentType are sent as they are on every attempt.
	Body        []byte
	ContentType string
	Header      http.Header
	// Policy says which failures may be retried.
	Policy RetryPolicy
	// ExtraLimiters are waited on after the vendor limiter, for call-specific ceilings such as
	// RongCloud's 20/s for group extension deletion. They adapt to refusals as the vendor
	// limiter does: when the tighter ceiling is the one the app is over, slowing the vendor
	// limiter alone would not slow these calls.
	ExtraLimiters []*AdaptiveLimiter
	// Prepare runs before every attempt to sign or otherwise complete the request (fresh
	// nonce, timestamp, random, token).
	Prepare func(ctx context.Context, r *http.Request) error
	// Check turns an answer into nil or an error (typically *APIError). It is given the status
	// and the whole body; HTTP 200 may still be a failure.
	Check func(resp *http.Response, body []byte) error
}

// Response is the final successful answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts counts how many times the request was sent.
	Attempts int
}

// NewTransport validates cfg and applies the defaults.
func NewTransport(cfg Config) (*Transport, error) {
	if len(cfg.BaseURLs) == 0 {
		return nil, fmt.Errorf("%s: no base URL", cfg.Vendor)
	}
	// A redirect would resend a signed request, credentials and all, to an address nobody
	// configured (possibly plain http), outside the retry policy: never follow one.
	httpClient := &http.Client{}
	if cfg.HTTPClient != nil {
		*httpClient = *cfg.HTTPClient
	}
	httpClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.HTTPClient = httpClient
	if cfg.Redactor == nil {
		cfg.Redactor = NewRedactor()
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := cfg.Settings
	t := &Transport{cfg: cfg, retryTimeout: DefaultRetryTimeout, timeout: 30 * time.Second,
		minWait: 200 * time.Millisecond, maxWait: 10 * time.Second}
	if s.MaxRetries > 0 || s.NoRetries {
		t.maxAttempts = s.MaxRetries + 1
	}
	if s.RetryTimeout > 0 {
		t.retryTimeout = s.RetryTimeout
	}
	if s.RequestTimeout > 0 {
		t.timeout = s.RequestTimeout
	}
	if s.MinBackoff > 0 {
		t.minWait = s.MinBackoff
	}
	if s.MaxBackoff > 0 {
		t.maxWait = s.MaxBackoff
	}
	if s.RequestsPerSecond > 0 {
		t.limiter = NewAdaptiveLimiter(s.RequestsPerSecond, cfg.Sleep)
	}
	cooldown := DefaultFailoverCooldown
	if s.FailoverCooldown > 0 {
		cooldown = s.FailoverCooldown
	}
	t.health = newBaseHealth(len(cfg.BaseURLs), cooldown, cfg.Now)
	for _, base := range cfg.BaseURLs {
		t.addresses = append(t.addresses, cfg.Redactor.URL(&url.URL{Scheme: base.Scheme, Host: base.Host, Path: base.Path, RawPath: base.RawPath}))
	}
	return t, nil
}

// Redactor returns the transport's redactor so a vendor client can register secrets it learns
// later (a fetched token, a generated UserSig).
func (t *Transport) Redactor() *Redactor { return t.cfg.Redactor }

// Do sends req until it succeeds, fails permanently, runs out of its retry budget (time, and
// attempts when capped), or ctx ends. Every failure is a *CallError, which says whether any
// attempt may have taken effect.
func (t *Transport) Do(ctx context.Context, req *Request) (*Response, error) {
	call := &CallError{Vendor: t.cfg.Vendor, Operation: req.Operation}
	clock := startRetryClock()
	base := -1
	for {
		if call.Attempts > 0 {
			wait, gaveUp := t.nextWait(call.Attempts, call.Err, clock.spent())
			if gaveUp != "" {
				call.GaveUp = gaveUp
				t.explainOutage(call)
				return nil, call
			}
			// A failed base URL is left behind for a healthy one at once: the wait is for
			// the server that failed, not for the other one.
			if shouldFailOver(call.Err) && t.health.healthyOtherThan(base) {
				wait = 0
			}
			if err := clock.sleep(ctx, t.cfg.Sleep, wait); err != nil {
				return nil, t.interrupted(ctx, call, nil, err)
			}
		}
		if err := t.wait(ctx, req); err != nil {
			return nil, t.interrupted(ctx, call, nil, err)
		}
		base = t.health.pick()
		call.Attempts++
		sent := time.Now()
		resp, err := t.attempt(ctx, req, base, call.Attempts)
		t.observe(req, sent, err)
		if ctx.Err() != nil {
			// Stopped by the caller: whatever the attempt got, the run is over. An attempt
			// that was sent is the vendor's to finish, so its outcome is unknown.
			if err == nil {
				return resp, nil
			}
			return nil, t.interrupted(ctx, call, err, err)
		}
		t.health.report(ctx, t, base, err)
		if err == nil {
			return resp, nil
		}
		call.Err = err
		call.OutcomeUnknown = call.OutcomeUnknown || attemptOutcomeUnknown(err)
		if !t.mayRetry(req.Policy, err) {
			return nil, call
		}
	}
}

// interrupted ends a call that stopped while waiting (attemptErr nil) or during an attempt
// (attemptErr is what the attempt returned); err is what stopped it.
func (t *Transport) interrupted(ctx context.Context, call *CallError, attemptErr, err error) error {
	if ctx.Err() == nil {
		// Not the caller's doing: a limiter that cannot grant a token before the deadline.
		if call.Err == nil {
			call.Err = fmt.Errorf("%s %s: %w", t.cfg.Vendor, call.Operation, err)
		} else {
			// A retry was due, and the deadline came first: say so beside the last answer.
			call.GaveUp = err.Error()
		}
		return call
	}
	call.Interrupted = ctx.Err()
	if attemptErr != nil {
		call.Err = attemptErr
		call.InFlight = attemptOutcomeUnknown(attemptErr)
		call.OutcomeUnknown = call.OutcomeUnknown || call.InFlight
	}
	return call
}

// explainOutage adds to a vendor's server error, once retries gave up on it, that a run of
// them is an outage on the vendor's side.
func (t *Transport) explainOutage(call *CallError) {
	var apiErr *APIError
	if errors.As(call.Err, &apiErr) && apiErr.HTTPStatus >= 500 {
		apiErr.Hint = JoinSentences(apiErr.Hint, fmt.Sprintf("%s kept answering with server errors, across %d base URL(s); "+
			"this is usually an outage on %s's side: apply again later", t.cfg.Vendor, len(t.cfg.BaseURLs), t.cfg.Vendor))
	}
}

// nextWait returns how long to wait before the next attempt, or why there is none: the
// attempts cap is reached, the time budget is spent, or the vendor asked for a pause longer
// than what is left of it.
func (t *Transport) nextWait(attempts int, lastErr error, spent time.Duration) (time.Duration, string) {
	gaveUp := "gave up after 1 attempt"
	if attempts > 1 {
		gaveUp = fmt.Sprintf("gave up after %d attempts", attempts)
	}
	if t.maxAttempts > 0 && attempts >= t.maxAttempts {
		return 0, fmt.Sprintf("%s: max_retries is %d", gaveUp, t.maxAttempts-1)
	}
	remaining := t.retryTimeout - spent
	if remaining <= 0 {
		return 0, fmt.Sprintf("%s in %s: retry_timeout is %s", gaveUp, spent.Round(time.Second), t.retryTimeout)
	}
	var apiErr *APIError
	if errors.As(lastErr, &apiErr) && apiErr.RetryAfter > remaining {
		return 0, fmt.Sprintf("%s: the vendor asked to wait %s, more than the %s left of retry_timeout",
			gaveUp, apiErr.RetryAfter, remaining.Round(time.Second))
	}
	// The last attempt lands at the deadline rather than never: an outage that ends just then
	// is still ridden out.
	return min(t.backoff(attempts, lastErr), remaining), ""
}

// observe lets the limiters the attempt went through learn from its outcome. A refusal slows
// the tightest of them: the call's own limiters when it has any (the vendor does not say which
// of its limits was hit, and while these calls run, they are all this client adds to either),
// else the vendor limiter. Cutting the vendor limiter too would, over a few refusals, push it
// below the call's own ceiling, where it would slow every other call of the client as well.
func (t *Transport) observe(req *Request, sent time.Time, err error) {
	if len(req.ExtraLimiters) == 0 {
		t.limiter.Observe(sent, err)
		return
	}
	for _, l := range req.ExtraLimiters {
		l.Observe(sent, err)
	}
}

// wait is the one place a request waits for the vendor's rate limiter (and the call's own).
func (t *Transport) wait(ctx context.Context, req *Request) error {
	// A stopped run sends nothing more, even when no limiter would notice.
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.limiter != nil {
		if err := t.limiter.Wait(ctx); err != nil {
			return err
		}
	}
	for _, l := range req.ExtraLimiters {
		if err := l.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// mayRetry applies the request's policy. RetryOnlyUnsent resends what certainly had no
// effect: a request that never left, or one the vendor refused as rate-limited (a refusal
// is an answer that says nothing was done).
func (t *Transport) mayRetry(policy RetryPolicy, err error) bool {
	if policy == RetryOnlyUnsent {
		var netErr *NetworkError
		if errors.As(err, &netErr) {
			return netErr.NotSent
		}
		var apiErr *APIError
		return errors.As(err, &apiErr) && apiErr.RateLimited && apiErr.HTTPStatus < 500
	}
	return IsRetryable(err)
}

// shouldFailOver moves to the next base URL when the current one looks unhealthy: no answer
// or a server-side error. A rate-limit answer is about our app, not the host, so it stays.
func shouldFailOver(err error) bool {
	var netErr *NetworkError
	if errors.As(err, &netErr) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.HTTPStatus >= 500
}

// backoff is capped exponential backoff with full jitter: concurrent calls that failed
// together spread over the whole window instead of coming back together.
func (t *Transport) backoff(attempt int, lastErr error) time.Duration {
	base := t.minWait
	var apiErr *APIError
	if errors.As(lastErr, &apiErr) && apiErr.RateLimited {
		base *= 4
	}
	ceiling := base << min(attempt-1, 16)
	if ceiling > t.maxWait || ceiling <= 0 {
		ceiling = t.maxWait
	}
	wait := rand.N(ceiling + 1)
	// A vendor that says how long to wait knows better than our guess.
	if apiErr != nil && apiErr.RetryAfter > wait {
		wait = apiErr.RetryAfter
	}
	return wait
}

// retryClock measures how much of a call's retry budget is spent: real time in attempts and
// limiter waits, plus each backoff wait at its requested length. In production that is the
// wall-clock time; with Sleep replaced by a no-op (tests) the budget still runs out, after
// the same waits, without anyone waiting for it.
type retryClock struct {
	start               time.Time
	slept, sleptForReal time.Duration
}

func startRetryClock() *retryClock { return &retryClock{start: time.Now()} }

func (c *retryClock) spent() time.Duration {
	return time.Since(c.start) - c.sleptForReal + c.slept
}

func (c *retryClock) sleep(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	began := time.Now()
	err := sleep(ctx, d)
	c.sleptForReal += time.Since(began)
	c.slept += d
	return err
}

// retryAfter reads a Retry-After header given in seconds, capped so a confused server cannot
// park a run for hours; 0 when absent or unreadable.
func retryAfter(h http.Header, ceiling time.Duration) time.Duration {
	seconds, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || seconds <= 0 {
		return 0
	}
	return min(time.Duration(seconds)*time.Second, ceiling)
}

func (t *Transport) attempt(ctx context.Context, req *Request, baseIndex, attemptNo int) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()

	target := joinURL(t.cfg.BaseURLs[baseIndex], req.Path, req.Query)
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.Method, target.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: building request: %w", t.cfg.Vendor, req.Operation, err)
	}
	for k, vs := range req.Header {
		httpReq.Header[k] = append([]string(nil), vs...)
	}
	if req.ContentType != "" {
		httpReq.Header.Set("Content-Type", req.ContentType)
	}
	httpReq.Header.Set("Accept", "application/json")
	if t.cfg.UserAgent != "" {
		httpReq.Header.Set("User-Agent", t.cfg.UserAgent)
	}
	if req.Prepare != nil {
		if err := req.Prepare(ctx, httpReq); err != nil {
			return nil, err
		}
	}
	redacted := t.cfg.Redactor.URL(httpReq.URL)
	t.log(ctx, "sending request", map[string]any{
		"vendor": t.cfg.Vendor, "operation": req.Operation, "attempt": attemptNo,
		"method": req.Method, "url": redacted,
		"headers": t.cfg.Redactor.Headers(httpReq.Header), "body": t.cfg.Redactor.String(string(req.Body)),
	})

	started := time.Now()
	resp, err := t.cfg.HTTPClient.Do(httpReq)
	if err != nil {
		netErr := t.networkError(req, baseIndex, notSent(err), innerError(err))
		t.log(ctx, "request failed", map[string]any{"vendor": t.cfg.Vendor, "url": redacted, "error": t.cfg.Redactor.String(netErr.Error())})
		return nil, netErr
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, t.networkError(req, baseIndex, false, fmt.Errorf("reading the answer: %w", innerError(err)))
	}
	t.log(ctx, "received answer", map[string]any{
		"vendor": t.cfg.Vendor, "url": redacted, "status": resp.StatusCode,
		"elapsed_ms": time.Since(started).Milliseconds(), "body": t.cfg.Redactor.String(string(respBody)),
	})
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		location := ""
		if loc, err := resp.Location(); err == nil {
			// The host only: a redirect's path and query may echo the request's IDs.
			location = " to " + t.cfg.Redactor.URL(&url.URL{Scheme: loc.Scheme, Host: loc.Host})
		}
		return nil, &APIError{
			Vendor: t.cfg.Vendor, Operation: req.Operation, HTTPStatus: resp.StatusCode,
			Message: "the server answered with a redirect" + location,
			Hint:    "set api_urls to the API's own address: the provider does not follow redirects, so signed requests are never resent elsewhere",
		}
	}
	if req.Check != nil {
		if err := req.Check(resp, respBody); err != nil {
			var apiErr *APIError
			if errors.As(err, &apiErr) {
				if apiErr.Operation == "" {
					apiErr.Operation = req.Operation
				}
				// A vendor that echoes a credential in its error text must not put it in
				// Terraform's output.
				apiErr.Message = t.cfg.Redactor.String(apiErr.Message)
				// The one place a rate-limited answer is recognised, whichever way the vendor
				// says it (HTTP 429, or its own code that the Check marked RateLimited).
				if resp.StatusCode == http.StatusTooManyRequests {
					apiErr.RateLimited = true
				}
				if apiErr.RateLimited {
					apiErr.Retryable = true
				}
				// Keep the longer of the vendor check's own wait and the header's.
				apiErr.RetryAfter = max(apiErr.RetryAfter, retryAfter(resp.Header, t.maxWait*6))
			}
			return nil, err
		}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: respBody, Attempts: attemptNo}, nil
}

// networkError describes an attempt that got no answer, naming the base address only.
func (t *Transport) networkError(req *Request, baseIndex int, notSent bool, err error) *NetworkError {
	return &NetworkError{Vendor: t.cfg.Vendor, Operation: req.Operation, Address: t.addresses[baseIndex],
		AddressSettings: t.cfg.AddressSettings, NotSent: notSent, Err: err}
}

func (t *Transport) log(ctx context.Context, msg string, fields map[string]any) {
	if t.cfg.Logger != nil {
		t.cfg.Logger.Debug(ctx, msg, fields)
	}
}

// joinURL appends path (already escaped) to base's own path, so "https://gw.example/rc" +
// "/message/x.json" keeps the gateway prefix and an escaped "%40" in a user ID stays escaped.
func joinURL(base *url.URL, escapedPath string, query url.Values) *url.URL {
	u := *base
	u.RawPath = strings.TrimRight(base.EscapedPath(), "/") + escapedPath
	if unescaped, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = unescaped
	}
	u.RawQuery = query.Encode()
	return &u
}

// innerError strips *url.Error, whose message would repeat the full URL with its secrets.
func innerError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// notSent recognises failures that happen before a request leaves this machine.
func notSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
