package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// defaultURL is where dump and env look for the emulator when -url is not given: the
// server's default -addr.
const defaultURL = "http://127.0.0.1:8900"

type dumpFlags struct {
	set      *flag.FlagSet
	url      *string
	requests *bool
}

func newDumpFlags() *dumpFlags {
	set := flag.NewFlagSet(name+" dump", flag.ContinueOnError)
	return &dumpFlags{
		set:      set,
		url:      set.String("url", defaultURL, "base URL of a running emulator"),
		requests: set.Bool("requests", false, "print the request log (/_admin/requests) instead of the store"),
	}
}

// dump prints a running emulator's store or its request log.
func dump(args []string, stdout, stderr io.Writer) int {
	flags := newDumpFlags()
	if code := parseFlags(flags.set, args, 0, "", stdout, stderr); code >= 0 {
		return code
	}
	what := "/_admin/state"
	if *flags.requests {
		what = "/_admin/requests"
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	resp, err := httpClient.Get(strings.TrimRight(*flags.url, "/") + what)
	if err != nil {
		return failed(stderr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return failed(stderr, fmt.Errorf("%s answered %s", *flags.url, resp.Status))
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return failed(stderr, err)
	}
	return exitOK
}

type diffFlags struct {
	set      *flag.FlagSet
	requests *string
}

func newDiffFlags() *diffFlags {
	set := flag.NewFlagSet(name+" diff", flag.ContinueOnError)
	return &diffFlags{
		set:      set,
		requests: set.String("requests", "", "a request log (dump -requests) to list with what each request matched"),
	}
}

// diff prints what changed between two dumps and what was kept, so a demo or a dry run shows
// what went and what stayed; with -requests, also what each vendor request matched.
func diff(args []string, stdout, stderr io.Writer) int {
	flags := newDiffFlags()
	if code := parseFlags(flags.set, args, 2, "diff needs two files: before.json after.json", stdout, stderr); code >= 0 {
		return code
	}
	var snapshots [2]emulator.Snapshot
	for i, path := range flags.set.Args() {
		if err := readJSON(path, &snapshots[i]); err != nil {
			return failed(stderr, err)
		}
	}
	var requests []emulator.RequestRecord
	if *flags.requests != "" {
		if err := readJSON(*flags.requests, &requests); err != nil {
			return failed(stderr, err)
		}
		if requests == nil {
			requests = []emulator.RequestRecord{}
		}
	}
	report, err := emulator.FormatDiff(snapshots[0], snapshots[1], requests)
	if err != nil {
		return failed(stderr, err)
	}
	fmt.Fprint(stdout, report)
	return exitOK
}

func readJSON(path string, into any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
