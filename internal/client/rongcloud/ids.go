package rongcloud

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Limits on what the provider sends. The plan-time validators and the client's own checks
// before sending share them, so a caller that bypasses plan meets the same rules.
const (
	// MaxIDLength bounds user IDs, target IDs and message UIDs: RongCloud user and group IDs
	// are at most 64 characters, and message UIDs (such as BRGM-DEN2-01E4-BN66) far shorter.
	MaxIDLength = 64
	// MaxExtensionKeyLength is the longest extension key RongCloud lets a message carry, so
	// a longer one names no extension.
	MaxExtensionKeyLength = 32
	// SentTimeClockSkew is how far in the future a broadcast's sent_time may lie, to allow
	// for clocks that disagree by a few minutes.
	SentTimeClockSkew = 5 * time.Minute
)

// earliestSentTime is a floor below which a sentTime in milliseconds cannot be a RongCloud
// message: 2000-01-01T00:00:00Z. A send time given in seconds by mistake lands below it
// (it reads as January 1970).
var earliestSentTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// IDProblem says why id cannot be a RongCloud user ID, target ID or message UID, or returns ""
// when it can. The ID itself is left out of the answer: it is personal data.
func IDProblem(id string) string {
	switch length := utf8.RuneCountInString(id); {
	case length == 0:
		return "is empty"
	case length > MaxIDLength:
		return fmt.Sprintf("is %d characters long; the most is %d", length, MaxIDLength)
	}
	return ""
}

// ExtensionKeyProblem says why key cannot name a message extension, or returns "" when it
// can: RongCloud refuses to set keys longer than MaxExtensionKeyLength, so deleting one would
// be answered with success while nothing changes.
func ExtensionKeyProblem(key string) string {
	switch length := utf8.RuneCountInString(key); {
	case length == 0:
		return "is empty"
	case length > MaxExtensionKeyLength:
		return fmt.Sprintf("is %d characters long; RongCloud extension keys have at most %d", length, MaxExtensionKeyLength)
	}
	return ""
}

// SentTimeProblem says why sentTime (milliseconds since the epoch) cannot be when a broadcast
// was sent, judged at now, or returns "" when it can. A time in the future (beyond
// SentTimeClockSkew) would spend one of the app's two recalls an hour on a certain refusal.
// Zero means "not given" and is fine.
func SentTimeProblem(sentTime int64, now time.Time) string {
	if sentTime == 0 {
		return ""
	}
	sent := time.UnixMilli(sentTime).UTC()
	switch {
	case sent.Before(earliestSentTime):
		return fmt.Sprintf("reads as %s, before any RongCloud message; it must be in milliseconds since the epoch "+
			"(the dateTime of the message history log), so a time in seconds needs three more digits",
			sent.Format(time.RFC3339))
	case sent.After(now.Add(SentTimeClockSkew)):
		return fmt.Sprintf("reads as %s, in the future (more than %s ahead of this machine's clock); "+
			"a broadcast cannot have been sent then, so RongCloud would refuse the recall and still count it "+
			"against the app's 2 recalls an hour", sent.Format(time.RFC3339), SentTimeClockSkew)
	}
	return ""
}
