// Command imops-emulator serves fake RongCloud, Easemob and Tencent Cloud IM APIs on loopback,
// for the demo, the provider's tests and users' own CI dry runs.
//
//	imops-emulator [-addr 127.0.0.1:8900] [-fixture data.json] [-state-out state.json] [-ready-file f]
//	imops-emulator dump -url http://127.0.0.1:8900     # print the store as JSON
//	imops-emulator diff before.json after.json         # what changed between two dumps
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

func main() {
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "dump":
		err = dump(os.Args[2:])
	case len(os.Args) > 1 && os.Args[1] == "diff":
		err = diff(os.Args[2:])
	default:
		err = serve()
	}
	if err != nil {
		log.Fatal(err)
	}
}

// dump prints a running emulator's store.
func dump(args []string) error {
	flags := flag.NewFlagSet("dump", flag.ExitOnError)
	baseURL := flags.String("url", "http://127.0.0.1:8900", "base URL of a running emulator")
	_ = flags.Parse(args)
	resp, err := http.Get(strings.TrimRight(*baseURL, "/") + "/_admin/state")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *baseURL, resp.Status)
	}
	_, err = io.Copy(os.Stdout, resp.Body)
	return err
}

// diff prints what changed between two dumps, so a demo or a dry run shows what went.
func diff(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: imops-emulator diff before.json after.json")
	}
	var snapshots [2]emulator.Snapshot
	for i, path := range args {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &snapshots[i]); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	changes, unchanged, err := emulator.Diff(snapshots[0], snapshots[1])
	if err != nil {
		return err
	}
	fmt.Print(emulator.FormatChanges(changes, unchanged))
	return nil
}

func serve() error {
	addr := flag.String("addr", "127.0.0.1:8900", "loopback address to listen on")
	fixturePath := flag.String("fixture", "", "JSON fixture to start from (default: the built-in demo data)")
	stateOut := flag.String("state-out", "", "write the final store as JSON to this file on shutdown")
	readyFile := flag.String("ready-file", "", "write the base URL to this file once listening (for scripts)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr must be a loopback address (127.0.0.1, ::1 or localhost), got %q", host)
	}
	fixture := emulator.DemoFixture()
	if *fixturePath != "" {
		if fixture, err = emulator.LoadFixtureFile(*fixturePath); err != nil {
			return err
		}
	}
	emu := emulator.New(fixture, emulator.Options{})
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	baseURL := "http://" + listener.Addr().String()
	server := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("imops-emulator listening on %s (RongCloud %s/rongcloud, Easemob %s/easemob, Tencent IM %s/tencentim, admin %s/_admin/state)",
		baseURL, baseURL, baseURL, baseURL, baseURL)
	if *readyFile != "" {
		if err := os.WriteFile(*readyFile, []byte(baseURL+"\n"), 0o600); err != nil {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	if *stateOut != "" {
		data, err := json.MarshalIndent(emu.Snapshot(), "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*stateOut, append(data, '\n'), 0o600)
	}
	return nil
}
