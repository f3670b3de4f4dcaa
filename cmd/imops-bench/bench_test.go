package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tterraform-provi\nVmPeak:\t 1300000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   60000 kB\n"
	if kib, ok := parseVmHWM(status); !ok || kib != 81234 {
		t.Errorf("parseVmHWM = %d, %v; want 81234 KiB", kib, ok)
	}
	for _, bad := range []string{"Name:\tx\n", "VmHWM:\t12 MB\n", "VmHWM:\tlots kB\n"} {
		if kib, ok := parseVmHWM(bad); ok {
			t.Errorf("parseVmHWM(%q) = %d, want no reading", bad, kib)
		}
	}
}

func TestParseStat(t *testing.T) {
	// A command name may hold spaces and parentheses; the parent's pid follows the state.
	comm, ppid, ok := parseStat("4242 (odd (name) here) S 77 4242 1 0 -1")
	if !ok || comm != "odd (name) here" || ppid != 77 {
		t.Errorf("parseStat = %q, %d, %v; want \"odd (name) here\", 77", comm, ppid, ok)
	}
	if _, _, ok := parseStat("garbage"); ok {
		t.Error("parseStat accepted a line with no command name")
	}
}

// TestRSSSamplerFindsTheProviderChild runs a process named like the provider under a shell,
// as terraform runs the provider, and checks that the sampler reads its peak and no other's.
func TestRSSSamplerFindsTheProviderChild(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary to stand in for the provider")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	dir := t.TempDir()
	provider := filepath.Join(dir, "terraform-provider-imops")
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(provider, data, 0o700); err != nil {
		t.Fatal(err)
	}
	// The trailing true keeps the shell from exec'ing the child in its own place.
	parent := exec.Command("sh", "-c", provider+" 0.5; true")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	sampler := startRSSSampler(parent.Process.Pid)
	if err := parent.Wait(); err != nil {
		t.Fatal(err)
	}
	peak := sampler.stop()
	if peak <= 0 || peak > 64<<10 {
		t.Errorf("peak = %d KiB, want the small peak of a sleeping process", peak)
	}
	// The same watch on a parent with no provider child finds nothing.
	other := exec.Command(sleep, "0.2")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	sampler = startRSSSampler(other.Process.Pid)
	_ = other.Wait()
	if peak := sampler.stop(); peak != 0 {
		t.Errorf("peak = %d KiB for a parent with no provider child, want 0", peak)
	}
	// Watching a child itself reads its own peak, not this test process's.
	child := exec.Command(sleep, "0.3")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	sampler = startSelfRSSSampler(child.Process.Pid)
	_ = child.Wait()
	if peak := sampler.stop(); peak <= 0 || peak > 64<<10 {
		t.Errorf("peak of a sleeping child = %d KiB, want its own small peak", peak)
	}
}

func TestParseTerraformVersion(t *testing.T) {
	v, err := parseTerraformVersion("Terraform v1.11.4")
	if err != nil || v != (version{1, 11, 4}) {
		t.Fatalf("parseTerraformVersion = %v, %v", v, err)
	}
	if v.atLeast(1, 14) || !v.atLeast(1, 11) || !v.atLeast(0, 15) {
		t.Errorf("1.11.4 compared wrongly with 1.14, 1.11 or 0.15")
	}
	if v, _ := parseTerraformVersion("Terraform v1.14.0-rc1"); !v.atLeast(1, 14) {
		t.Errorf("1.14.0-rc1 is not at least 1.14")
	}
	if _, err := parseTerraformVersion("OpenTofu"); err == nil {
		t.Error("a line with no version was accepted")
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3,1,2 = %v", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median of 4,1,3,2 = %v", got)
	}
	if got := median([]int(nil)); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{7: "7", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestMessageIDsAreDistinctAndEasemobShaped(t *testing.T) {
	seen := map[string]bool{}
	for _, id := range append(messageIDs("14", 5000), messageIDs("15", 5000)...) {
		if len(id) != 19 || strings.Trim(id, "0123456789") != "" || seen[id] {
			t.Fatalf("ID %q is not a new 19-digit number", id)
		}
		seen[id] = true
	}
	for _, id := range keptIDs {
		if seen[id] {
			t.Fatalf("kept ID %q is also among those deleted", id)
		}
	}
}

func TestFloorAndCalls(t *testing.T) {
	if callsFor(10_000) != 200 || callsFor(1) != 1 || callsFor(51) != 2 {
		t.Errorf("calls for 10,000 / 1 / 51 IDs = %d / %d / %d, want 200 / 1 / 2", callsFor(10_000), callsFor(1), callsFor(51))
	}
	if floorOf(200) != 2*time.Second {
		t.Errorf("floor of 200 calls = %v, want 2s at 100/s", floorOf(200))
	}
}

func TestSmokeIsOneSmallCase(t *testing.T) {
	opts, err := parseOptions([]string{"-smoke"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.sizes) != 1 || opts.sizes[0] != 1000 || len(opts.cases) != 1 || !opts.cases[caseResource] || opts.repeat != 1 {
		t.Errorf("smoke options = %+v, want one 1,000-ID resource, once", opts)
	}
	for _, bad := range [][]string{{"-sizes", "10,x"}, {"-cases", "resource,bogus"}, {"-repeat", "0"}, {"extra"}} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("parseOptions(%q) accepted", bad)
		}
	}
	t.Setenv("IMOPS_BENCH_TERRAFORM", "/opt/terraform-1.14/terraform")
	if opts, _ := parseOptions(nil, io.Discard); opts.terraform != "/opt/terraform-1.14/terraform" {
		t.Errorf("terraform = %q, want the one IMOPS_BENCH_TERRAFORM names", opts.terraform)
	}
}

func TestDynamicValueEncodesListsAndSets(t *testing.T) {
	for _, collection := range []tftypes.Type{tftypes.List{ElementType: tftypes.String}, tftypes.Set{ElementType: tftypes.String}} {
		typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"message_ids": collection, "notify": tftypes.Bool, "unset": tftypes.String}}
		dv, err := dynamicValue(typ, map[string]any{"message_ids": []string{"1", "2"}, "notify": false})
		if err != nil {
			t.Fatalf("%s: %v", collection, err)
		}
		value, err := dv.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := value.As(&attrs); err != nil {
			t.Fatal(err)
		}
		var ids []tftypes.Value
		if err := attrs["message_ids"].As(&ids); err != nil || len(ids) != 2 {
			t.Errorf("%s: message_ids = %v, %v", collection, attrs["message_ids"], err)
		}
		if !attrs["unset"].IsNull() {
			t.Errorf("an attribute not given is %v, want null", attrs["unset"])
		}
	}
	if _, err := dynamicValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}, map[string]any{"typo": "x"}); err == nil {
		t.Error("an attribute the schema lacks was accepted")
	}
}

func TestFailureExcerptShowsACrashFromItsStart(t *testing.T) {
	dir := t.TempDir()
	crash := filepath.Join(dir, "crash.log")
	var dump strings.Builder
	dump.WriteString("$ terraform apply\nWarning: overrides\nfatal error: runtime: out of memory\n\nruntime stack:\n")
	for i := range 200 {
		fmt.Fprintf(&dump, "goroutine %d [select]:\n", i)
	}
	if err := os.WriteFile(crash, []byte(dump.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	got := failureExcerpt(crash)
	if !strings.HasPrefix(got, "fatal error: runtime: out of memory") || strings.Contains(got, "goroutine 199") {
		t.Errorf("excerpt of a crash = %q..., want it to start at the fatal error and leave out the end of the dump", got[:min(len(got), 80)])
	}
	plain := filepath.Join(dir, "plain.log")
	if err := os.WriteFile(plain, []byte("Plan: 1 to add\nError: Error running imops_easemob_roaming_chat_delete\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := failureExcerpt(plain); !strings.Contains(got, "Error: Error running") {
		t.Errorf("excerpt of a failed apply = %q, want its last lines", got)
	}
}
