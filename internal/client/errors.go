// Package client holds what the three vendor clients share: one HTTP transport with retries,
// rate limiting, failover and redacted logging, typed API errors, and the helper that splits a
// large list into concurrent per-call chunks. It knows nothing of Terraform.
package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// APIError is a vendor's refusal, decoded from its answer. Every vendor client returns it, so
// callers can use errors.As regardless of vendor.
type APIError struct {
	// Vendor names the platform that answered ("RongCloud", "Easemob", "Tencent Cloud IM").
	Vendor string
	// Operation says what was being attempted, as a verb phrase ("delete message extensions").
	Operation string
	// HTTPStatus is the HTTP status of the answer (Tencent answers 200 even for failures).
	HTTPStatus int
	// Code is the vendor's own error code, as text (numeric codes are formatted in decimal).
	Code string
	// Message is the vendor's own explanation.
	Message string
	// RequestID is the vendor's or our request identifier, for the vendor's support desk.
	RequestID string
	// Hint tells the user what to do about it, when we know.
	Hint string
	// Retryable reports whether the same request may succeed if sent again later.
	Retryable bool
	// RateLimited marks answers that mean "slow down", so backoff can be longer.
	RateLimited bool
	// RetryAfter is how long the vendor asked us to wait (a Retry-After header), if it did.
	RetryAfter time.Duration
}

// Error renders the vendor's code and message with the request ID and the hint, on one line.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Vendor)
	if e.Operation != "" {
		b.WriteString(" could not " + e.Operation)
	} else {
		b.WriteString(" refused the request")
	}
	// Tencent answers HTTP 200 even for failures; the status adds nothing there.
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Code != "" {
		b.WriteString(": code " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" [request ID " + e.RequestID + "]")
	}
	if e.Hint != "" {
		b.WriteString(". " + strings.ToUpper(e.Hint[:1]) + e.Hint[1:])
	}
	return b.String()
}

// IsRetryable reports whether err is worth sending again: a retryable APIError or a network
// failure. Anything else (bad input, auth, permissions) fails the same way every time.
func IsRetryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Retryable
	}
	var netErr *NetworkError
	return errors.As(err, &netErr)
}

// OutcomeUnknown reports whether a failed request may nonetheless have been carried out: it
// reached the server but no definite answer came back (a timeout or dropped connection after
// sending, a 5xx, an answer that could not be read). A vendor's explicit refusal, or a
// request that never left, is a known outcome.
func OutcomeUnknown(err error) bool {
	var netErr *NetworkError
	if errors.As(err, &netErr) {
		return !netErr.NotSent
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus >= 500 || (apiErr.HTTPStatus < 300 && apiErr.Code == "")
	}
	return false
}

// Snippet renders the start of an answer body for an error message, so a gateway's HTML
// page or a foreign JSON shows what actually came back without flooding the output.
func Snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "(empty answer)"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// RandomUUID returns a random UUID-shaped identifier (36 characters), for request IDs.
func RandomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// NetworkError is a request that got no HTTP answer. The message carries a redacted URL only.
type NetworkError struct {
	Vendor string
	// URL is the redacted address that was tried.
	URL string
	// NotSent is true when the request certainly never reached the server (the connection was
	// refused or the name did not resolve), which makes even a non-idempotent call safe to resend.
	NotSent bool
	Err     error
}

// Error describes the failure with a redacted URL, never the raw one, and where to look.
func (e *NetworkError) Error() string {
	advice := "check region or api_urls, DNS, proxy settings (HTTPS_PROXY) and firewalls"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		advice = "the request timed out; raise request_timeout if the vendor is slow, or " + advice
	}
	return fmt.Sprintf("%s: no answer from %s: %v. %s", e.Vendor, e.URL, e.Err, strings.ToUpper(advice[:1])+advice[1:])
}

// Unwrap exposes the cause so errors.Is(err, context.DeadlineExceeded) works.
func (e *NetworkError) Unwrap() error { return e.Err }
