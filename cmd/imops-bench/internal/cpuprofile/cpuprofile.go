// Package cpuprofile lets a provider process started by the benchmark write its own CPU
// profile, named by its pid, into the directory the benchmark gives it.
package cpuprofile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// DirEnv names the directory profiles are written to; unset, nothing is profiled.
const DirEnv = "IMOPS_BENCH_PROFILE_DIR"

// Start begins profiling when DirEnv is set. The returned func stops it and writes the file.
func Start() (stop func(), err error) {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		return func() {}, nil
	}
	out, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.pprof", os.Getpid())))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		_ = out.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = out.Close()
	}, nil
}
