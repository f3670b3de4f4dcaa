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
	"path/filepath"
	"time"

	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// shutdownGrace is how long requests in flight get to finish once a signal arrives; after it
// the remaining connections are closed, so the process always exits and frees its port.
const shutdownGrace = 5 * time.Second

// serveFlags declares the server's flags on a new flag set; usage lists them.
type serveFlags struct {
	set                              *flag.FlagSet
	addr, fixture, stateOut, urlFile *string
	strict                           *bool
}

func newServeFlags() *serveFlags {
	set := flag.NewFlagSet(name, flag.ContinueOnError)
	flags := &serveFlags{
		set:      set,
		addr:     set.String("addr", "127.0.0.1:8900", "loopback `address` to listen on; port 0 picks a free port (see -url-file)"),
		fixture:  set.String("fixture", "", "JSON fixture `file` to start from (default: the built-in demo data)"),
		strict:   set.Bool("strict", false, "refuse, in each vendor's own error shape, requests naming messages, keys, users or groups the store does not hold, or matching nothing"),
		stateOut: set.String("state-out", "", "write the final store as JSON to this `file` on shutdown"),
		urlFile: set.String("url-file", "", "once listening, write the base URL (http://127.0.0.1:PORT) and a newline to this `file`;\n"+
			"it is written whole (never half-written) and removed on shutdown, so a script can wait for it"),
	}
	// The flag's first name, kept so existing scripts go on working.
	set.StringVar(flags.urlFile, "ready-file", "", "the same as -url-file (its former name): write the base URL to this `file`")
	return flags
}

// serve runs the emulator until ctx is done.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := newServeFlags()
	if code := parseFlags(flags.set, args, 0, "", stdout, stderr); code >= 0 {
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
	emu := emulator.New(fixture, emulator.Options{Strict: *flags.strict})
	listener, err := net.Listen("tcp", *flags.addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + listener.Addr().String()
	server := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	mode := ""
	if *flags.strict {
		mode = ", strict"
	}
	logger.Printf("%s listening on %s%s (RongCloud %s/rongcloud, Easemob %s/easemob, Tencent IM %s/tencentim, admin %s/_admin/state)",
		name, baseURL, mode, baseURL, baseURL, baseURL, baseURL)
	if *flags.urlFile != "" {
		if err := writeWhole(*flags.urlFile, baseURL+"\n"); err != nil {
			_ = listener.Close()
			return err
		}
		defer os.Remove(*flags.urlFile)
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	select {
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		logger.Printf("%s shutting down", name)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		// A request held by a latency fault outlived the grace period: drop it.
		_ = server.Close()
	}
	if *flags.stateOut != "" {
		data, err := json.MarshalIndent(emu.Snapshot(), "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*flags.stateOut, append(data, '\n'), 0o600)
	}
	return nil
}

// writeWhole writes content to path through a temporary file in the same directory and a
// rename, so a script polling for path never reads it half-written.
func writeWhole(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
