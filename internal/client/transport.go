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

	"golang.org/x/time/rate"
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

// Settings tune a transport. Zero values take the defaults noted on each field.
type Settings struct {
	// MaxRetries is how many times a failed request is resent (default 4; 0 after
	// NoRetries is set).
	MaxRetries int
	// NoRetries makes MaxRetries 0 meaningful rather than "use the default".
	NoRetries bool
	// RequestTimeout bounds one attempt, including reading the answer (default 30s).
	RequestTimeout time.Duration
	// RequestsPerSecond is the client-side ceiling shared by every caller of this transport.
	RequestsPerSecond float64
	// MinBackoff and MaxBackoff bound the exponential backoff between attempts
	// (defaults 200ms and 10s). Rate-limit answers start at four times MinBackoff.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Config builds a Transport for one vendor.
type Config struct {
	// Vendor names the platform in errors and logs.
	Vendor string
	// BaseURLs are tried in order; a network error or 5xx moves on to the next one.
	BaseURLs []*url.URL
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
}

// Transport sends vendor requests: it rate-limits, signs each attempt afresh, times out,
// retries with exponential backoff and jitter, fails over across base URLs, and logs with
// secrets masked. One Transport per vendor per provider process, shared by every operation.
type Transport struct {
	cfg     Config
	limiter *AdaptiveLimiter
	retries int
	timeout time.Duration
	minWait time.Duration
	maxWait time.Duration
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
	// RongCloud's 20/s for group extension deletion.
	ExtraLimiters []*rate.Limiter
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
	s := cfg.Settings
	t := &Transport{cfg: cfg, retries: 4, timeout: 30 * time.Second, minWait: 200 * time.Millisecond, maxWait: 10 * time.Second}
	if s.MaxRetries > 0 || s.NoRetries {
		t.retries = s.MaxRetries
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
	return t, nil
}

// NewLimiter returns a limiter that spaces calls evenly at perSecond, with no burst, so no
// one-second window ever holds more than perSecond calls however the vendor counts.
func NewLimiter(perSecond float64) *rate.Limiter {
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

// Redactor returns the transport's redactor so a vendor client can register secrets it learns
// later (a fetched token, a generated UserSig).
func (t *Transport) Redactor() *Redactor { return t.cfg.Redactor }

// Do sends req until it succeeds, fails permanently, or runs out of attempts or context.
func (t *Transport) Do(ctx context.Context, req *Request) (*Response, error) {
	baseIndex := 0
	var lastErr error
	for attempt := 0; attempt <= t.retries; attempt++ {
		if attempt > 0 {
			if err := t.cfg.Sleep(ctx, t.backoff(attempt, lastErr)); err != nil {
				return nil, fmt.Errorf("%w (gave up waiting to retry: %v)", lastErr, err)
			}
		}
		if err := t.wait(ctx, req); err != nil {
			if lastErr != nil {
				return nil, fmt.Errorf("%w (gave up waiting to retry: %v)", lastErr, err)
			}
			return nil, fmt.Errorf("%s %s: %w", t.cfg.Vendor, req.Operation, err)
		}
		sent := time.Now()
		resp, err := t.attempt(ctx, req, t.cfg.BaseURLs[baseIndex], attempt+1)
		t.limiter.Observe(sent, err)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if !t.mayRetry(req.Policy, err) || ctx.Err() != nil {
			return nil, err
		}
		if shouldFailOver(err) {
			baseIndex = (baseIndex + 1) % len(t.cfg.BaseURLs)
		}
	}
	var apiErr *APIError
	if errors.As(lastErr, &apiErr) && apiErr.HTTPStatus >= 500 {
		// However the body looked, repeated server errors tell of an outage.
		outage := fmt.Sprintf("%s answered with server errors on all %d attempts, across %d base URL(s); this is "+
			"usually an outage on %s's side: apply again later", t.cfg.Vendor, t.retries+1, len(t.cfg.BaseURLs), t.cfg.Vendor)
		if apiErr.Hint != "" {
			outage = apiErr.Hint + ". " + outage
		}
		apiErr.Hint = outage
		return nil, lastErr
	}
	return nil, fmt.Errorf("%w (after %d attempts)", lastErr, t.retries+1)
}

func (t *Transport) wait(ctx context.Context, req *Request) error {
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

func (t *Transport) mayRetry(policy RetryPolicy, err error) bool {
	if policy == RetryOnlyUnsent {
		var netErr *NetworkError
		return errors.As(err, &netErr) && netErr.NotSent
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
	// Full jitter: concurrent chunks that failed together do not come back together.
	wait := ceiling/2 + rand.N(ceiling/2+1)
	// A vendor that says how long to wait knows better than our guess.
	if apiErr != nil && apiErr.RetryAfter > wait {
		wait = apiErr.RetryAfter
	}
	return wait
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

func (t *Transport) attempt(ctx context.Context, req *Request, base *url.URL, attemptNo int) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()

	target := joinURL(base, req.Path, req.Query)
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
		netErr := &NetworkError{Vendor: t.cfg.Vendor, URL: redacted, NotSent: notSent(err), Err: innerError(err)}
		t.log(ctx, "request failed", map[string]any{"vendor": t.cfg.Vendor, "url": redacted, "error": t.cfg.Redactor.String(netErr.Error())})
		return nil, netErr
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, &NetworkError{Vendor: t.cfg.Vendor, URL: redacted, Err: fmt.Errorf("reading the answer: %w", innerError(err))}
	}
	t.log(ctx, "received answer", map[string]any{
		"vendor": t.cfg.Vendor, "url": redacted, "status": resp.StatusCode,
		"elapsed_ms": time.Since(started).Milliseconds(), "body": t.cfg.Redactor.String(string(respBody)),
	})
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		location := ""
		if loc, err := resp.Location(); err == nil {
			location = " to " + t.cfg.Redactor.URL(loc)
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
				if resp.StatusCode == http.StatusTooManyRequests {
					apiErr.RateLimited, apiErr.Retryable = true, true
				}
				// Keep the longer of the vendor check's own wait and the header's.
				apiErr.RetryAfter = max(apiErr.RetryAfter, retryAfter(resp.Header, t.maxWait*6))
			}
			return nil, err
		}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: respBody, Attempts: attemptNo}, nil
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
