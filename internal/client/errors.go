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
	"unicode"
	"unicode/utf8"
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
	return JoinSentences(b.String(), e.Hint)
}

// JoinSentences joins parts into consecutive sentences: each non-empty part loses the full
// stops and white space it ends with, the parts are joined by ". ", and each starts with a
// capital. Vendors end their messages with a full stop or not, and hints are written without
// one, so gluing them with a plain ". " would print "deleted.. Check" for some of them. The
// result has no closing full stop, so it can be joined again; EndSentence adds one.
func JoinSentences(parts ...string) string {
	var kept []string
	for _, part := range parts {
		part = strings.TrimRight(strings.TrimSpace(part), ". ")
		if part == "" {
			continue
		}
		if len(kept) > 0 {
			part = capitalize(part)
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, ". ")
}

// EndSentence ends s with exactly one full stop, unless it already ends with "?" or "!".
func EndSentence(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), ". ")
	if s == "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
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

// OutcomeUnknown reports whether a failed call may nonetheless have been carried out: some
// attempt reached the server but no definite answer came back (a timeout or dropped connection
// after sending, a 5xx, an answer that could not be read, a cancel while waiting for the
// answer). A vendor's explicit refusal, or a request that never left, is a known outcome. For
// a *CallError the verdict covers every attempt of the call, not only the last.
func OutcomeUnknown(err error) bool {
	var earlier earlierOutcomeUnknown
	if errors.As(err, &earlier) {
		return true
	}
	var notSent notSentError
	if errors.As(err, &notSent) {
		return false
	}
	var callErr *CallError
	if errors.As(err, &callErr) {
		return callErr.OutcomeUnknown
	}
	return attemptOutcomeUnknown(err)
}

// KeepEarlierOutcome returns err, the error a call ended with after it was sent once more
// (with a renewed credential), marked as possibly having taken effect when the round of
// attempts before the resend (whose outcome was earlierUnknown) may have: the call as a whole
// then may have, whatever the last round says.
func KeepEarlierOutcome(err error, earlierUnknown bool) error {
	if err == nil || !earlierUnknown || OutcomeUnknown(err) {
		return err
	}
	return earlierOutcomeUnknown{err}
}

// earlierOutcomeUnknown is the error a call ended with, an earlier attempt of which may have
// taken effect. It is judged before anything it wraps (a CallError of the resend, or a
// NotSent failure to get the credential for it), which errors.As still finds.
type earlierOutcomeUnknown struct{ error }

func (e earlierOutcomeUnknown) Unwrap() error { return e.error }

// NotSent marks err as having ended a call before any request of it was sent (getting its
// credential failed, say): whatever the outcome of the requests behind err, the call itself
// certainly took no effect. errors.As still finds what err wraps.
func NotSent(err error) error {
	if err == nil {
		return nil
	}
	return notSentError{err}
}

type notSentError struct{ error }

func (e notSentError) Unwrap() error { return e.error }

// attemptOutcomeUnknown judges one attempt's error.
func attemptOutcomeUnknown(err error) bool {
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

// CallError is how one logical call failed, after every attempt its retry rule allowed. Its
// message is the last attempt's error plus why no further attempt was made; OutcomeUnknown
// tells whether any of the attempts may have taken effect.
type CallError struct {
	Vendor string
	// Operation says what was being attempted, as a verb phrase ("delete message extensions").
	Operation string
	// Attempts counts the requests sent (0 when the call was stopped before its first).
	Attempts int
	// OutcomeUnknown is true when some attempt may have reached the vendor and taken effect:
	// it was sent and got no definite answer, a 5xx, or an unreadable one.
	OutcomeUnknown bool
	// Interrupted is the caller's context error (context.Canceled when Terraform is asked to
	// stop) when that is what ended the call; nil otherwise.
	Interrupted error
	// InFlight is true when the interruption came while a request was waiting for its answer.
	InFlight bool
	// GaveUp says why retrying stopped when the retry budget ran out ("gave up after 9
	// attempts in 1m0s (retry_timeout)"); empty otherwise.
	GaveUp string
	// Err is the last attempt's error; nil when the call was stopped before its first attempt.
	Err error
}

// Error renders the failure without any URL query, ID or secret: the attempt errors it wraps
// carry only the vendor's base address and answer.
func (e *CallError) Error() string {
	if e.Interrupted != nil {
		stopped := "cancelled"
		if !errors.Is(e.Interrupted, context.Canceled) {
			stopped = "stopped (" + e.Interrupted.Error() + ")"
		}
		switch {
		case e.Err == nil:
			return fmt.Sprintf("%s: %s before the request to %s was sent", e.Vendor, stopped, e.Operation)
		case e.InFlight:
			return fmt.Sprintf("%s: %s while waiting for the answer to the request to %s (attempt %d); it may have taken effect",
				e.Vendor, stopped, e.Operation, e.Attempts)
		default:
			return fmt.Sprintf("%s: %s after %d attempt(s) of the request to %s; the last one: %v", e.Vendor, stopped, e.Attempts, e.Operation, e.Err)
		}
	}
	if e.GaveUp != "" {
		return fmt.Sprintf("%v (%s)", e.Err, e.GaveUp)
	}
	return e.Err.Error()
}

// Unwrap exposes the last attempt's error (for errors.As to *APIError) and the interruption
// (for errors.Is(err, context.Canceled)).
func (e *CallError) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Interrupted != nil {
		errs = append(errs, e.Interrupted)
	}
	return errs
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

// NetworkError is a request that got no HTTP answer. It names the vendor's base address and
// the operation, never the full URL: a query can hold message IDs and a path user IDs, which
// only DEBUG logs may show.
type NetworkError struct {
	Vendor string
	// Operation says what was being attempted, as a verb phrase.
	Operation string
	// Address is the base URL that was tried, redacted, without path below it or query.
	Address string
	// AddressSettings names the provider settings that choose Address, for the advice
	// ("region or api_urls"); empty gives a generic wording.
	AddressSettings string
	// NotSent is true when the request certainly never reached the server (the connection was
	// refused or the name did not resolve), which makes even a non-idempotent call safe to resend.
	NotSent bool
	Err     error
}

// Error describes the failure and where to look. A cancel gets no advice: nothing is wrong
// with the network when the user stopped the run.
func (e *NetworkError) Error() string {
	text := fmt.Sprintf("%s: no answer from %s", e.Vendor, e.Address)
	if e.Operation != "" {
		text += " to the request to " + e.Operation
	}
	text += fmt.Sprintf(": %v", e.Err)
	if errors.Is(e.Err, context.Canceled) {
		return text
	}
	settings := e.AddressSettings
	if settings == "" {
		settings = "the API address settings"
	}
	advice := "check " + settings + ", DNS, proxy settings (HTTPS_PROXY) and firewalls"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		advice = "the request timed out; raise request_timeout if the vendor is slow, or " + advice
	}
	return JoinSentences(text, advice)
}

// Unwrap exposes the cause so errors.Is(err, context.DeadlineExceeded) works.
func (e *NetworkError) Unwrap() error { return e.Err }
