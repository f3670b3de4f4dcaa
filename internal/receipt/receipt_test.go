package receipt

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestOfIgnoresOrderAndRepeats(t *testing.T) {
	a := Of([]string{"3", "1", "2", "1"})
	b := Of([]string{"1", "2", "3"})
	if a != b {
		t.Fatalf("Of differs for the same set: %+v and %+v", a, b)
	}
	if a.Count != 3 {
		t.Fatalf("Count = %d, want 3", a.Count)
	}
	if c := Of([]string{"1", "2", "4"}); c.SHA256 == a.SHA256 {
		t.Fatal("another set hashed the same")
	}
}

func TestOfLeavesItsInputAsItIs(t *testing.T) {
	ids := []string{"b", "a", "b"}
	Of(ids)
	if strings.Join(ids, ",") != "b,a,b" {
		t.Fatalf("Of changed its input to %v", ids)
	}
}

// The documented way to recompute a receipt with standard tools must agree with Of.
func TestOfMatchesSortUniqSha256sum(t *testing.T) {
	// sha256sum and sort are coreutils, on every machine the project supports.
	ids := []string{"1159999999999999999", "1159999999999999998", "20", "1159999999999999999", "9"}
	file := filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(file, []byte(strings.Join(ids, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", `sort -u "$1" | sha256sum`, "sh", file)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(out))[0], Of(ids).SHA256; got != want {
		t.Fatalf("sort -u | sha256sum = %s, Of = %s", got, want)
	}
}

func TestOfNothing(t *testing.T) {
	// The SHA-256 of no bytes at all.
	if got := Of(nil); got.Count != 0 || got.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("Of(nil) = %+v", got)
	}
}
