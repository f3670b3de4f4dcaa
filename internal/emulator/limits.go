package emulator

import (
	"math"

	"golang.org/x/time/rate"
)

// quotaLimiter returns the ceiling of one vendor quota of perSecond calls. Vendors document
// "N calls per second" without saying how they count; by default the emulator reads it
// generously (a token bucket holding a whole second's worth, so a fresh app admits N calls at
// once and N more within the second). Options.QuotaBurst tightens that to a span's worth: with
// 100ms, a 100/s quota admits 10 calls back to back and then one every 10ms, so two clients
// that together ask for twice the quota are refused within a tenth of a second, as they would
// be by a vendor counting in short windows. Benchmarks and the rate-adaptation tests use it so
// that the vendor floor (calls ÷ rate) is a real floor.
func (e *Emulator) quotaLimiter(perSecond float64) *rate.Limiter {
	burst := perSecond
	if e.opts.QuotaBurst > 0 {
		burst = perSecond * e.opts.QuotaBurst.Seconds()
	}
	return rate.NewLimiter(rate.Limit(perSecond), max(1, int(math.Round(burst))))
}
