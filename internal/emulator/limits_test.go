package emulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
)

// admitted sends calls back to back with the emulator's clock stopped, so no quota refills
// meanwhile, and returns how many the app's quota let through before the first refusal.
func admitted(t *testing.T, opts Options, calls int) int {
	t.Helper()
	stopped := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	opts.Now = func() time.Time { return stopped }
	emu := New(easemobFixture(), opts)
	c := easemobClient(t, startEmulator(t, emu), easemobClientConfig{
		now:      opts.Now,
		settings: client.Settings{NoRetries: true, RequestsPerSecond: 1e6},
	})
	for i := range calls {
		_, err := c.DeleteChatMessages(context.Background(), "alice", "bob", []string{"c1"}, false, nil)
		var apiErr *client.APIError
		if errors.As(err, &apiErr) && apiErr.RateLimited {
			return i
		}
		if err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	return calls
}

func TestQuotaBurstTightensTheVendorQuota(t *testing.T) {
	// By default a fresh Easemob app admits a whole second's worth (100) of calls at once.
	if got := admitted(t, Options{}, 101); got != 100 {
		t.Errorf("default: %d calls admitted at once, want 100", got)
	}
	// With QuotaBurst 100ms it admits a tenth of a second's worth.
	if got := admitted(t, Options{QuotaBurst: 100 * time.Millisecond}, 101); got != 10 {
		t.Errorf("QuotaBurst 100ms: %d calls admitted at once, want 10", got)
	}
	// Never less than one call, however short the span.
	if got := admitted(t, Options{QuotaBurst: time.Microsecond}, 101); got != 1 {
		t.Errorf("QuotaBurst 1µs: %d calls admitted at once, want 1", got)
	}
}
