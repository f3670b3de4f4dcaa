package client

import "time"

// RenewAt returns when a credential issued at issued and valid for lifetime should be
// replaced: once nine tenths of its lifetime have passed. The margin is proportional so that
// a short-lived credential (a test token of a minute) is not replaced on nearly every call,
// while a long-lived one is replaced hours before it lapses, far beyond any clock
// disagreement with the vendor or the few seconds between handing a credential to an
// attempt and the vendor checking it. Vendor clients look the credential up for every
// attempt, retries included, so none sets out with one past this point.
func RenewAt(issued time.Time, lifetime time.Duration) time.Time {
	return issued.Add(lifetime - lifetime/10)
}
