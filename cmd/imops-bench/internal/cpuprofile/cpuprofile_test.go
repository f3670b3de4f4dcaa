package cpuprofile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestStartWritesAProfileOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DirEnv, "")
	stop, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("profiled without %s set: %v", DirEnv, entries)
	}

	t.Setenv(DirEnv, dir)
	stop, err = Start()
	if err != nil {
		t.Fatal(err)
	}
	stop()
	info, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%d.pprof", os.Getpid())))
	if err != nil || info.Size() == 0 {
		t.Errorf("no profile named after the pid in %s: %v", dir, err)
	}
}
