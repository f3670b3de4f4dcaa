// Command imops-emulator serves fake RongCloud, Easemob and Tencent Cloud IM APIs on loopback,
// for the demo, the provider's tests and users' own CI dry runs.
//
//	imops-emulator [-addr 127.0.0.1:8900] [-fixture data.json] [-state-out state.json] [-ready-file f]
//	imops-emulator dump -url http://127.0.0.1:8900     # print the store as JSON
//	imops-emulator diff before.json after.json         # what changed between two dumps
//	imops-emulator help                                # usage
//
// Vendors answer below http://ADDR/rongcloud, /easemob and /tencentim (each also under a
// "-backup" twin for failover drills); the admin API is below /_admin/.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/imops/terraform-provider-imops/internal/emulator"
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
		case "dump":
			return dump(args[1:], stdout, stderr)
		case "diff":
			return diff(args[1:], stdout, stderr)
		}
	}
	return serve(ctx, args, stdout, stderr)
}

// serveFlags declares the server's flags on a new flag set; usage lists them.
type serveFlags struct {
	set                                *flag.FlagSet
	addr, fixture, stateOut, readyFile *string
}

func newServeFlags() *serveFlags {
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	return &serveFlags{
		set:       set,
		addr:      set.String("addr", "127.0.0.1:8900", "loopback address to listen on (port 0 picks a free port)"),
		fixture:   set.String("fixture", "", "JSON fixture to start from (default: the built-in demo data)"),
		stateOut:  set.String("state-out", "", "write the final store as JSON to this file on shutdown"),
		readyFile: set.String("ready-file", "", "write the base URL to this file once listening (for scripts)"),
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `Usage:
  %[1]s [flags]                        serve the fake vendors on loopback until interrupted
  %[1]s dump [-url URL]                print a running emulator's store as JSON
  %[1]s diff before.json after.json    show what changed between two dumps
  %[1]s help                           show this help

Flags (serve):
`, name)
	flags := newServeFlags()
	flags.set.SetOutput(w)
	flags.set.PrintDefaults()
	fmt.Fprint(w, "\nFlags (dump):\n")
	dumpSet, _ := newDumpFlags()
	dumpSet.SetOutput(w)
	dumpSet.PrintDefaults()
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

// parseFlags parses args with set, whose errors and usage go to stderr; it returns the exit
// code to stop with, or -1 to go on.
func parseFlags(set *flag.FlagSet, args []string, stdout, stderr io.Writer) int {
	set.SetOutput(io.Discard)
	set.Usage = func() {}
	err := set.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return exitOK
	case err != nil:
		return usageError(stderr, "%v", err)
	case set.NArg() > 0:
		return usageError(stderr, "unexpected argument %q", set.Arg(0))
	}
	return -1
}

func newDumpFlags() (*flag.FlagSet, *string) {
	set := flag.NewFlagSet(name+" dump", flag.ContinueOnError)
	return set, set.String("url", "http://127.0.0.1:8900", "base URL of a running emulator")
}

// dump prints a running emulator's store.
func dump(args []string, stdout, stderr io.Writer) int {
	set, baseURL := newDumpFlags()
	if code := parseFlags(set, args, stdout, stderr); code >= 0 {
		return code
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	resp, err := httpClient.Get(strings.TrimRight(*baseURL, "/") + "/_admin/state")
	if err != nil {
		return failed(stderr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return failed(stderr, fmt.Errorf("%s answered %s", *baseURL, resp.Status))
	}
	if _, err := io.Copy(stdout, resp.Body); err != nil {
		return failed(stderr, err)
	}
	return exitOK
}

// diff prints what changed between two dumps, so a demo or a dry run shows what went.
func diff(args []string, stdout, stderr io.Writer) int {
	for _, arg := range args {
		if arg == "-h" || arg == "-help" || arg == "--help" {
			usage(stdout)
			return exitOK
		}
	}
	if len(args) != 2 {
		return usageError(stderr, "diff needs two files: before.json after.json")
	}
	var snapshots [2]emulator.Snapshot
	for i, path := range args {
		data, err := os.ReadFile(path)
		if err != nil {
			return failed(stderr, err)
		}
		if err := json.Unmarshal(data, &snapshots[i]); err != nil {
			return failed(stderr, fmt.Errorf("%s: %w", path, err))
		}
	}
	changes, unchanged, err := emulator.Diff(snapshots[0], snapshots[1])
	if err != nil {
		return failed(stderr, err)
	}
	fmt.Fprint(stdout, emulator.FormatChanges(changes, unchanged))
	return exitOK
}

// serve runs the emulator until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newServeFlags()
	if code := parseFlags(flags.set, args, stdout, stderr); code >= 0 {
		return code
	}
	if err := listenAndServe(ctx, flags, log.New(stderr, "", log.LstdFlags)); err != nil {
		return failed(stderr, err)
	}
	return exitOK
}

func listenAndServe(ctx context.Context, flags *serveFlags, logger *log.Logger) error {
	host, _, err := net.SplitHostPort(*flags.addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr must be a loopback address (127.0.0.1, ::1 or localhost), got %q", host)
	}
	fixture := emulator.DemoFixture()
	if *flags.fixture != "" {
		if fixture, err = emulator.LoadFixtureFile(*flags.fixture); err != nil {
			return err
		}
	}
	emu := emulator.New(fixture, emulator.Options{})
	listener, err := net.Listen("tcp", *flags.addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + listener.Addr().String()
	server := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	logger.Printf("%s listening on %s (RongCloud %s/rongcloud, Easemob %s/easemob, Tencent IM %s/tencentim, admin %s/_admin/state)",
		name, baseURL, baseURL, baseURL, baseURL, baseURL)
	if *flags.readyFile != "" {
		if err := os.WriteFile(*flags.readyFile, []byte(baseURL+"\n"), 0o600); err != nil {
			_ = listener.Close()
			return err
		}
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	select {
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdownCtx)
	if *flags.stateOut != "" {
		data, err := json.MarshalIndent(emu.Snapshot(), "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*flags.stateOut, append(data, '\n'), 0o600)
	}
	return nil
}
