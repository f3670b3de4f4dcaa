package easemob_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// BenchmarkDeleteChatMessages10k (client only, no Terraform: `make bench-client`; `make bench`
// measures through terraform) deletes 10,000 message IDs through a client at its default
// settings against the emulator at Easemob's default limits (100 calls/s). The rate limit,
// not the client, should set the pace: about 200 calls in about 2 seconds, with no 429.
func BenchmarkDeleteChatMessages10k(b *testing.B) {
	const total = 10_000
	ids := make([]string, total)
	messages := make([]emulator.EasemobMessage, total)
	for i := range ids {
		ids[i] = fmt.Sprintf("1%017d", i)
		messages[i] = emulator.EasemobMessage{MsgID: ids[i], From: "alice", To: "bob", ChatType: "chat", Timestamp: 1_700_000_000_000 + int64(i)}
	}
	fixture := emulator.Fixture{Easemob: &emulator.EasemobFixture{
		OrgName: "bench-org", AppName: "bench-app", ClientID: "bench-client", ClientSecret: "bench-secret-0123456789",
		Users: []string{"alice", "bob"}, Messages: messages,
	}}
	var calls, rateLimited int
	var elapsed time.Duration
	for b.Loop() {
		emu := emulator.New(fixture, emulator.Options{})
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		server := &httptest.Server{Listener: listener, Config: &http.Server{Handler: emu.Handler()}}
		server.Start()
		base, _ := url.Parse(server.URL + "/easemob")
		c, err := easemob.New(easemob.Config{
			OrgName: "bench-org", AppName: "bench-app", ClientID: "bench-client", ClientSecret: "bench-secret-0123456789",
			Transport: client.Config{BaseURLs: []*url.URL{base}},
		})
		if err != nil {
			b.Fatal(err)
		}
		started := time.Now()
		done, err := c.DeleteChatMessages(context.Background(), "alice", "bob", ids, false, nil)
		elapsed += time.Since(started)
		if err != nil {
			b.Fatalf("after %+v: %v", done, err)
		}
		calls += done.CallsDone
		for _, r := range emu.Requests() {
			if r.Status == http.StatusTooManyRequests {
				rateLimited++
			}
		}
		if left := emu.Snapshot().Easemob.ChatView("alice", "bob"); len(left) != 0 {
			b.Fatalf("%d messages left in alice's view", len(left))
		}
		if kept := emu.Snapshot().Easemob.ChatView("bob", "alice"); len(kept) != total {
			b.Fatalf("bob's copy changed: %d messages left, want %d", len(kept), total)
		}
		server.Close()
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "wall-s/op")
	b.ReportMetric(float64(rateLimited)/float64(b.N), "429s/op")
}
