package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The provider is terraform's child, not ours, so its peak memory cannot come from our own
// wait status (the rusage of terraform's exit folds the provider into terraform's figure). The
// sampler reads VmHWM ("high water mark": the peak resident set size the kernel has recorded
// for the process) from /proc/<pid>/status of every terraform-provider-imops process whose
// parent is the terraform being measured. VmHWM only grows, so sampling misses nothing but
// growth in the last interval before the process exits; the provider frees nothing of note
// then, so the figure is the peak to within that interval.
const rssSampleInterval = 20 * time.Millisecond

// providerComm is the provider's process name as the kernel keeps it (15 characters).
const providerComm = "terraform-provi"

type rssSampler struct {
	parent int
	// self, when set, watches the process parent itself rather than its provider children.
	self bool
	done chan struct{}
	wg   sync.WaitGroup
	// peaks maps each provider process seen to its last VmHWM reading, in KiB.
	peaks map[int]int64
	// others caches processes that are not terraform's children, so each is read once. A child
	// is read again until it is a provider: between fork and exec it still bears terraform's name.
	others map[int]bool
}

// startRSSSampler watches the provider processes terraform (the process parent) starts,
// until stop.
func startRSSSampler(parent int) *rssSampler {
	return newRSSSampler(&rssSampler{parent: parent})
}

// startSelfRSSSampler watches the process pid itself: a child of ours that serves the
// provider in its own process. Its exit status cannot be used instead: the kernel reports as
// a child's peak the larger of its own and its parent's at the time it was started, and the
// parent here is this harness, emulator and all.
func startSelfRSSSampler(pid int) *rssSampler {
	return newRSSSampler(&rssSampler{parent: pid, self: true})
}

func newRSSSampler(s *rssSampler) *rssSampler {
	s.done, s.peaks, s.others = make(chan struct{}), map[int]int64{}, map[int]bool{}
	s.wg.Go(func() {
		ticker := time.NewTicker(rssSampleInterval)
		defer ticker.Stop()
		for {
			s.sample()
			select {
			case <-s.done:
				return
			case <-ticker.C:
			}
		}
	})
	return s
}

// stop ends sampling and returns the largest peak of any provider process, in KiB (0 when
// none was seen, e.g. a workspace with no imops resource).
func (s *rssSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	var largest int64
	for _, kib := range s.peaks {
		largest = max(largest, kib)
	}
	return largest
}

func (s *rssSampler) sample() {
	if s.self {
		if kib, ok := readVmHWM(s.parent); ok {
			s.peaks[s.parent] = max(s.peaks[s.parent], kib)
		}
		return
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil {
			continue
		}
		if _, known := s.peaks[pid]; !known && (s.others[pid] || !s.isProvider(pid)) {
			continue
		}
		if kib, ok := readVmHWM(pid); ok {
			s.peaks[pid] = max(s.peaks[pid], kib)
		}
	}
}

// isProvider reports whether pid is a provider process started by the watched terraform.
func (s *rssSampler) isProvider(pid int) bool {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	comm, ppid, ok := parseStat(string(data))
	if ok && ppid != s.parent {
		s.others[pid] = true
	}
	return ok && ppid == s.parent && comm == providerComm
}

// parseStat reads the command name and the parent's pid from /proc/<pid>/stat:
// "pid (comm) state ppid ...", where comm may itself hold spaces and parentheses.
func parseStat(stat string) (comm string, ppid int, ok bool) {
	open, closing := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	if open < 0 || closing < open {
		return "", 0, false
	}
	fields := strings.Fields(stat[closing+1:])
	if len(fields) < 2 {
		return "", 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return stat[open+1 : closing], ppid, err == nil
}

// readVmHWM returns the VmHWM line of /proc/<pid>/status, in KiB.
func readVmHWM(pid int) (int64, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0, false
	}
	return parseVmHWM(string(data))
}

func parseVmHWM(status string) (int64, bool) {
	for line := range strings.SplitSeq(status, "\n") {
		if value, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fields := strings.Fields(value)
			if len(fields) != 2 || fields[1] != "kB" {
				return 0, false
			}
			kib, err := strconv.ParseInt(fields[0], 10, 64)
			return kib, err == nil
		}
	}
	return 0, false
}
