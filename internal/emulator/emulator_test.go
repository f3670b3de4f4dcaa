package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client"
	"github.com/imops/terraform-provider-imops/internal/client/rongcloud"
)

// The request log names the prefix each request arrived on, so a failover to the backup shows:
// the 503 on /rongcloud, then the served request on /rongcloud-backup.
func TestRequestLogShowsFailoverToBackup(t *testing.T) {
	emu := New(rongcloudFixture(), Options{})
	base := startEmulator(t, emu)
	if err := emu.AddFault(Fault{Kind: FaultStatus, Status: http.StatusServiceUnavailable, PathPrefix: "/rongcloud/", Count: 1}); err != nil {
		t.Fatal(err)
	}
	var urls []*url.URL
	for _, prefix := range []string{"/rongcloud", "/rongcloud-backup"} {
		u, _ := url.Parse(base + prefix)
		urls = append(urls, u)
	}
	c, err := rongcloud.New(rongcloud.Config{AppKey: "k", AppSecret: "s3cret",
		Transport: client.Config{BaseURLs: urls, Settings: client.Settings{MinBackoff: time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := deleteKeys(c, "G1", rongcloud.ConversationGroup, "alice", "room", "a"); err != nil {
		t.Fatal(err)
	}
	reqs := emu.Requests()
	if len(reqs) != 2 {
		t.Fatalf("request log = %+v, want two entries", reqs)
	}
	if reqs[0].Base != "/rongcloud" || reqs[0].Status != http.StatusServiceUnavailable {
		t.Errorf("first request = %+v, want the 503 on /rongcloud", reqs[0])
	}
	if reqs[1].Base != "/rongcloud-backup" || reqs[1].Status != http.StatusOK || strings.HasPrefix(reqs[1].Path, "/rongcloud") {
		t.Errorf("second request = %+v, want a 200 on /rongcloud-backup with the prefix stripped from the path", reqs[1])
	}
	for _, r := range reqs {
		if r.Vendor != "rongcloud" {
			t.Errorf("vendor = %q", r.Vendor)
		}
	}

	// The admin API shows the field too.
	if logged := adminRequests(t, base); len(logged) != 2 || logged[0]["base"] != "/rongcloud" || logged[1]["base"] != "/rongcloud-backup" {
		t.Errorf("/_admin/requests = %v", logged)
	}
}

// adminRequests fetches the request log through the admin API, as loosely typed JSON.
func adminRequests(t *testing.T, base string) []map[string]any {
	t.Helper()
	resp, err := http.Get(base + "/_admin/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var logged []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&logged); err != nil {
		t.Fatal(err)
	}
	return logged
}
