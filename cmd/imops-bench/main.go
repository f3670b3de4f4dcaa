// Command imops-bench measures big jobs the way users run them: the provider binary, built
// from this tree, driven by the real terraform binary against the emulator at the vendors'
// documented limits with network latency injected. Beside every figure it prints the vendor
// floor (calls ÷ documented rate) and a reference measured in the same run, so that a figure
// from a noisy machine can still be judged by its ratio.
//
//	go run ./cmd/imops-bench [flags]          # what `make bench` runs
//	go run ./cmd/imops-bench -smoke           # one small case in seconds; fails if the harness breaks
//
// The terraform binary is $IMOPS_BENCH_TERRAFORM, else the one on PATH. Actions are run with
// `terraform apply -invoke` when it is Terraform 1.14 or later, and at plugin-protocol level
// otherwise. Everything runs on 127.0.0.1; nothing is downloaded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit codes: 0 every case ran and checked out, 1 a case failed, 2 the command line was wrong.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == protocolActionCommand {
		os.Exit(protocolActionMain(os.Args[2:], os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the command line, parsed.
type options struct {
	sizes         []int
	cases         map[string]bool
	repeat        int
	latency       time.Duration
	quotaBurst    time.Duration
	concurrentIDs int
	manyResources int
	jsonAbove     int
	terraform     string
	timeout       time.Duration
	keep          bool
	smoke         bool
	// cpuProfile, if set, is where the provider writes CPU profiles (see ./profiled).
	cpuProfile string
}

// The cases, by the name -cases takes.
const (
	caseResource   = "resource"
	caseAction     = "action"
	caseMany       = "many"
	caseConcurrent = "concurrent"
)

var allCases = []string{caseResource, caseAction, caseMany, caseConcurrent}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	set := flag.NewFlagSet("imops-bench", flag.ContinueOnError)
	set.SetOutput(stderr)
	sizes := set.String("sizes", "1000,10000,100000", "message IDs in one resource and in one action, comma-separated")
	cases := set.String("cases", strings.Join(allCases, ","), "cases to run: "+strings.Join(allCases, ", "))
	repeat := set.Int("repeat", 3, "runs of each case; the report gives medians")
	latency := set.Duration("latency", 50*time.Millisecond, "latency the emulator adds to every vendor call")
	quotaBurst := set.Duration("quota-burst", 100*time.Millisecond, "how much of its per-second quota the emulated app admits at once")
	concurrentIDs := set.Int("concurrent-ids", 5000, "message IDs in each of the two concurrent applies")
	many := set.Int("many", 200, "resources in the many-resources case (50 IDs, one call each)")
	jsonAbove := set.Int("json-above", 20_000, "above this many IDs, run the later no-change plan and the action's apply with -json: terraform's human-readable output diffs a list against itself, in memory quadratic in its length")
	terraform := set.String("terraform", "", "terraform binary (default: $IMOPS_BENCH_TERRAFORM, else terraform on PATH)")
	timeout := set.Duration("timeout", 30*time.Minute, "limit for each terraform command")
	keep := set.Bool("keep", false, "keep the working directory (configurations, states, logs)")
	cpuProfile := set.String("cpuprofile", "", "build the provider with CPU profiling and write one profile per provider process into this directory (read them with go tool pprof)")
	smoke := set.Bool("smoke", false, "one 1,000-ID resource, once: a check that the harness works, for CI")
	set.Usage = func() {
		fmt.Fprintf(set.Output(), "Usage: imops-bench [flags]\n\nMeasures big jobs through the real terraform binary against the emulator.\n\nFlags:\n")
		set.PrintDefaults()
	}
	if err := set.Parse(args); err != nil {
		return options{}, err
	}
	if set.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", set.Arg(0))
	}
	o := options{
		repeat: *repeat, latency: *latency, quotaBurst: *quotaBurst, concurrentIDs: *concurrentIDs,
		manyResources: *many, jsonAbove: *jsonAbove, terraform: *terraform, timeout: *timeout, keep: *keep, smoke: *smoke,
		cpuProfile: *cpuProfile,
		cases:      map[string]bool{},
	}
	if *smoke {
		*sizes, *cases, o.repeat = "1000", caseResource, 1
	}
	for field := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || n < 1 {
			return options{}, fmt.Errorf("-sizes: %q is not a positive whole number", field)
		}
		o.sizes = append(o.sizes, n)
	}
	for field := range strings.SplitSeq(*cases, ",") {
		name := strings.TrimSpace(field)
		if !isCase(name) {
			return options{}, fmt.Errorf("-cases: unknown case %q (known: %s)", name, strings.Join(allCases, ", "))
		}
		o.cases[name] = true
	}
	switch {
	case o.repeat < 1:
		return options{}, errors.New("-repeat must be at least 1")
	case o.concurrentIDs < 1 || o.manyResources < 1:
		return options{}, errors.New("-concurrent-ids and -many must be at least 1")
	}
	if o.terraform == "" {
		o.terraform = os.Getenv("IMOPS_BENCH_TERRAFORM")
	}
	if o.terraform == "" {
		o.terraform = "terraform"
	}
	return o, nil
}

func isCase(name string) bool {
	for _, c := range allCases {
		if c == name {
			return true
		}
	}
	return false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "imops-bench: %v\n", err)
		return exitUsage
	}
	b, err := newBench(ctx, opts, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "imops-bench: %v\n", err)
		return exitError
	}
	defer b.close()
	rows, err := b.runCases(ctx)
	printReport(stdout, b.machine, opts, rows)
	if err != nil {
		fmt.Fprintf(stderr, "imops-bench: %v\n", err)
		return exitError
	}
	return exitOK
}
