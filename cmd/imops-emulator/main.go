// Command imops-emulator serves fake RongCloud, Easemob and Tencent Cloud IM APIs on loopback,
// for the demo, the provider's tests and users' own CI dry runs.
//
//	imops-emulator [-addr 127.0.0.1:8900] [-fixture data.json] [-strict] [-url-file f] [-state-out state.json]
//	imops-emulator env [-url URL] [-fixture data.json]  # shell lines pointing the provider at it
//	imops-emulator dump [-url URL] [-requests]          # print the store (or the request log) as JSON
//	imops-emulator diff [-requests log.json] before.json after.json  # what a run changed and kept
//	imops-emulator help                                 # usage
//
// Vendors answer below http://ADDR/rongcloud, /easemob and /tencentim (each also under a
// "-backup" twin for failover drills); the admin API is below /_admin/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const name = "imops-emulator"

// Exit codes: 0 done, 1 something failed, 2 the command line was wrong.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line (without the program name) and returns the exit code. The
// server, if started, stops when ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			usage(stdout)
			return exitOK
		case "env":
			return env(args[1:], stdout, stderr)
		case "dump":
			return dump(args[1:], stdout, stderr)
		case "diff":
			return diff(args[1:], stdout, stderr)
		}
	}
	return serve(ctx, args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Usage:
  %[1]s [flags]                      serve the fake vendors on loopback until SIGINT or SIGTERM
  %[1]s env [flags]                  print shell lines that point the provider at a running emulator
  %[1]s dump [flags]                 print a running emulator's store (or its request log) as JSON
  %[1]s diff [flags] before.json after.json
                                              show what changed between two dumps, what was kept,
                                              and (with -requests) what each vendor request matched
  %[1]s help                         show this help
`, name)
	for _, part := range []struct {
		title string
		set   *flag.FlagSet
	}{{"serve", newServeFlags().set}, {"env", newEnvFlags().set}, {"dump", newDumpFlags().set}, {"diff", newDiffFlags().set}} {
		fmt.Fprintf(w, "\nFlags (%s):\n", part.title)
		part.set.SetOutput(w)
		part.set.PrintDefaults()
	}
	fmt.Fprint(w, `
Vendors answer below http://ADDR/rongcloud, /easemob and /tencentim, each also below a
"-backup" twin (e.g. /rongcloud-backup) to rehearse failover; the admin API is below /_admin/
(state, requests, fixture, faults).
`)
}

// usageError reports a wrong command line: the problem, then the usage, on stderr.
func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n\n", name, fmt.Sprintf(format, args...))
	usage(stderr)
	return exitUsage
}

func failed(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "%s: %v\n", name, err)
	return exitError
}

// parseFlags parses args with set, whose errors and usage go to stderr, and checks that
// exactly positional arguments follow the flags (argsHelp says which, when there are some).
// It returns the exit code to stop with, or -1 to go on.
func parseFlags(set *flag.FlagSet, args []string, positional int, argsHelp string, stdout, stderr io.Writer) int {
	set.SetOutput(io.Discard)
	set.Usage = func() {}
	err := set.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return exitOK
	case err != nil:
		return usageError(stderr, "%v", err)
	case positional == 0 && set.NArg() > 0:
		return usageError(stderr, "unexpected argument %q", set.Arg(0))
	case set.NArg() != positional:
		return usageError(stderr, "%s", argsHelp)
	}
	return -1
}
