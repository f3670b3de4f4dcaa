package rongcloud_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// BenchmarkDeleteExtensions10k (client only, no Terraform: `make bench-client`; `make bench`
// measures through terraform) deletes 10,000 extension keys from one message through a client
// at its default settings, against the emulator at RongCloud's documented limits. The limits
// should set the pace: 100 calls, about 1 s for a private message (100/s) and about 5 s for a
// group message (20/s), with no 1008 answer.
func BenchmarkDeleteExtensions10k(b *testing.B) {
	for _, kind := range []struct {
		name     string
		convType rongcloud.ConversationType
		fixture  string
	}{{"private", rongcloud.ConversationPrivate, "private"}, {"group", rongcloud.ConversationGroup, "group"}} {
		b.Run(kind.name, func(b *testing.B) {
			const total = 10_000
			keys := make([]string, total)
			extensions := map[string]string{"untouched": "stays"}
			for i := range keys {
				keys[i] = fmt.Sprintf("key-%05d", i)
				extensions[keys[i]] = "v"
			}
			var calls, refused int
			var elapsed time.Duration
			for b.Loop() {
				emu := emulator.New(emulator.Fixture{RongCloud: &emulator.RongCloudFixture{
					AppKey: "bench-key", AppSecret: "bench-secret",
					Messages: []emulator.RongCloudMessage{{MsgUID: "M", FromUserID: "alice", ConversationType: kind.fixture, TargetID: "bob", Extensions: extensions}},
				}}, emulator.Options{})
				server := httptest.NewServer(emu.Handler())
				base, _ := url.Parse(server.URL + "/rongcloud")
				c, err := rongcloud.New(rongcloud.Config{AppKey: "bench-key", AppSecret: "bench-secret", Transport: client.Config{BaseURLs: []*url.URL{base}}})
				if err != nil {
					b.Fatal(err)
				}
				started := time.Now()
				done, err := c.DeleteExtensions(context.Background(), rongcloud.ExtensionDelete{
					MessageUID: "M", UserID: "alice", ConversationType: kind.convType, TargetID: "bob", ExtraKeys: keys,
				}, nil)
				elapsed += time.Since(started)
				if err != nil {
					b.Fatalf("after %+v: %v", done, err)
				}
				calls += done.CallsDone
				for _, r := range emu.Requests() {
					if r.Status == http.StatusTooManyRequests {
						refused++
					}
				}
				if left := emu.Snapshot().RongCloud.Messages["M"].Extensions; len(left) != 1 || left["untouched"] != "stays" {
					b.Fatalf("%d extensions left, want only the untouched one", len(left))
				}
				server.Close()
			}
			b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "wall-s/op")
			b.ReportMetric(float64(refused)/float64(b.N), "1008s/op")
		})
	}
}
