package provider

import (
	"fmt"
	"strconv"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// thousands formats n with comma separators: 10000 → "10,000".
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// chunkReporter turns a chunked run's progress into lines such as
// "Easemob: deleted 1,500 of 10,000 message IDs (30 of 200 calls)".
func chunkReporter(vendor, verb, noun string, progress Progress) func(client.ChunkProgress) {
	return func(p client.ChunkProgress) {
		if progress == nil {
			return
		}
		progress(fmt.Sprintf("%s: %s %s of %s %s (%s of %s calls)", vendor, verb,
			thousands(p.ItemsDone), thousands(p.ItemsTotal), noun, thousands(p.CallsDone), thousands(p.CallsTotal)))
	}
}

// chunkOutcome converts a chunked run's final progress into an Outcome.
func chunkOutcome(p client.ChunkProgress, noun string) Outcome {
	return Outcome{CallsDone: p.CallsDone, CallsTotal: p.CallsTotal, ItemsDone: p.ItemsDone, ItemsTotal: p.ItemsTotal,
		CallsUnknown: p.CallsUnknown, ItemsUnknown: p.ItemsUnknown, ItemNoun: noun}
}
