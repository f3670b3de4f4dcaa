package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/imops/terraform-provider-imops/internal/client/easemob"
	"github.com/imops/terraform-provider-imops/internal/emulator"
)

// Every case deletes messages from alice's view of her chat with bob, by ID, 50 IDs a call at
// Easemob's documented 100 calls/s. keptIDs are messages of that chat that no case names:
// each run checks that they are still there, and that bob's copy was not touched.
var keptIDs = []string{"9000000000000000001", "9000000000000000002", "9000000000000000003"}

// The configurations, as users write them: the IDs come from a file, one a line.
const (
	terraformBlock = `terraform {
  required_providers {
    imops = { source = "imops/imops" }
  }
}
`
	resourceTF = terraformBlock + `
resource "imops_easemob_roaming_chat_delete" "big" {
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = split("\n", trimspace(file("ids.txt")))
  notify       = false
}
`
	actionTF = terraformBlock + `
action "imops_easemob_roaming_chat_delete" "big" {
  config {
    user_id      = "alice"
    peer_user_id = "bob"
    message_ids  = split("\n", trimspace(file("ids.txt")))
    notify       = false
  }
}
`
	terraformDataTF = `
resource "terraform_data" "big" {
  input = split("\n", trimspace(file("ids.txt")))
}
`
	// manyResourcesTF and curlResourcesTF make the same calls: one resource per 50 IDs.
	manyResourcesTF = terraformBlock + `
locals {
  ids = split("\n", trimspace(file("ids.txt")))
}

resource "imops_easemob_roaming_chat_delete" "batch" {
  count        = %[1]d
  user_id      = "alice"
  peer_user_id = "bob"
  message_ids  = slice(local.ids, count.index * 50, count.index * 50 + 50)
  notify       = false
}
`
	// curl retries 429 answers by itself (--retry), waiting 1s, then 2s, and so on.
	curlResourcesTF = `
locals {
  ids = split("\n", trimspace(file("ids.txt")))
}

resource "terraform_data" "batch" {
  count = %[1]d
  input = slice(local.ids, count.index * 50, count.index * 50 + 50)

  provisioner "local-exec" {
    command = "curl -sS --fail --retry 8 -o /dev/null -X DELETE -H \"Authorization: Bearer $EASEMOB_TOKEN\" \"$EASEMOB_APP_URL/rest/message/roaming/chat/user/alice?userId=bob&isNotify=false&msgIdList=${join(",", self.input)}\""
  }
}
`
)

// sample is one run of a case.
type sample struct {
	apply, refApply time.Duration
	// plan and refPlan are later no-change plans (zero when not measured); planJSON says they
	// were run with -json (see planNoChange).
	plan, refPlan time.Duration
	planJSON      bool
	// calls and refused count the vendor calls the provider made, from the emulator's log;
	// span is the time from its first call to its last.
	calls, refused int
	span           time.Duration
	// overlap is how long the calls of two concurrent jobs overlapped.
	overlap time.Duration
	// refRefused counts refusals of the reference, where it calls the vendor (curl).
	refRefused int
	peakKiB    int64
}

// row is one case of the report.
type row struct {
	name string
	// calls is how many vendor calls the job needs; floor is calls ÷ the documented rate.
	calls     int
	floor     time.Duration
	reference string
	// ratio computes the figure the target applies to; ratioOf names it.
	ratio   func(sample) float64
	ratioOf string
	// target is the most the ratio may be (0: none), planTarget the same for plan ÷ refPlan.
	target, planTarget float64
	// showSpan adds the span of the vendor calls to the report.
	showSpan bool
	samples  []sample
}

func floorOf(calls int) time.Duration {
	return time.Duration(float64(calls) / easemob.DefaultRequestsPerSecond * float64(time.Second))
}

func callsFor(ids int) int {
	return (ids + easemob.MessageIDsPerCall - 1) / easemob.MessageIDsPerCall
}

// messageIDs returns n Easemob-shaped message IDs (19 digits) starting with prefix.
func messageIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%0*d", prefix, 19-len(prefix), i)
	}
	return ids
}

// chatMessages stores ids, and the kept messages, as alice's messages to bob.
func chatMessages(idSets ...[]string) []emulator.EasemobMessage {
	var messages []emulator.EasemobMessage
	for _, ids := range append(idSets, keptIDs) {
		for _, id := range ids {
			messages = append(messages, emulator.EasemobMessage{MsgID: id, From: "alice", To: "bob", ChatType: "chat", Timestamp: 1_700_000_000_000})
		}
	}
	return messages
}

// runCases runs every case asked for. A case that fails is reported and the others still
// run: one broken case must not hide the figures of the rest.
func (b *bench) runCases(ctx context.Context) ([]*row, error) {
	var (
		rows     []*row
		failures []error
	)
	add := func(r *row, err error) {
		if r != nil && len(r.samples) > 0 {
			rows = append(rows, r)
		}
		if err != nil {
			fmt.Fprintf(b.log, "    FAILED: %v\n", err)
			failures = append(failures, err)
		}
	}
	for _, name := range allCases {
		if !b.opts.cases[name] || ctx.Err() != nil {
			continue
		}
		switch name {
		case caseResource:
			for _, n := range b.opts.sizes {
				add(b.resourceCase(ctx, n))
			}
		case caseAction:
			for _, n := range b.opts.sizes {
				add(b.actionCase(ctx, n))
			}
		case caseMany:
			add(b.manyCase(ctx))
		case caseConcurrent:
			add(b.concurrentCase(ctx))
		}
	}
	return rows, errors.Join(failures...)
}

// repeat runs one sample of a case opts.repeat times. Odd runs measure the reference first,
// even runs the provider first, so that a machine growing busier or quieter during a run
// does not favour either.
func (b *bench) repeat(r *row, once func(referenceFirst bool) (sample, error)) (*row, error) {
	fmt.Fprintf(b.log, "==> %s\n", r.name)
	for run := 1; run <= b.opts.repeat; run++ {
		s, err := once(run%2 == 1)
		if err != nil {
			return r, fmt.Errorf("%s, run %d: %w", r.name, run, err)
		}
		r.samples = append(r.samples, s)
		fmt.Fprintf(b.log, "    run %d: %s\n", run, describeSample(r, s))
	}
	return r, nil
}

// bothInOrder runs the reference and the provider in the order asked.
func bothInOrder(referenceFirst bool, reference, provider func() error) error {
	first, second := provider, reference
	if referenceFirst {
		first, second = reference, provider
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

// terraformDataRun applies and then plans a terraform_data holding ids: the reference for
// what Terraform itself costs for a list that size.
func (b *bench) terraformDataRun(ctx context.Context, ids []string, withPlan bool, s *sample) error {
	dir, err := b.workspace("terraform-data", terraformDataTF, ids)
	if err != nil {
		return err
	}
	applied, err := b.apply(ctx, dir, b.env())
	if err != nil {
		return err
	}
	s.refApply = applied.wall
	if withPlan {
		planned, asJSON, err := b.planNoChange(ctx, dir, b.env(), len(ids))
		if err != nil {
			return err
		}
		s.refPlan, s.planJSON = planned.wall, asJSON
	}
	return nil
}

func (b *bench) resourceCase(ctx context.Context, n int) (*row, error) {
	ids := messageIDs("11", n)
	r := &row{
		name: fmt.Sprintf("%s IDs in one resource", thousands(n)), calls: callsFor(n), floor: floorOf(callsFor(n)),
		reference: "terraform_data holding the same list", ratioOf: "apply ÷ (floor + reference)",
	}
	r.ratio = func(s sample) float64 { return s.apply.Seconds() / (r.floor + s.refApply).Seconds() }
	switch {
	case n >= 100_000:
		r.target, r.planTarget = 1.3, 1.5
	case n >= 10_000:
		r.target, r.planTarget = 1.5, 1.5
	}
	return b.repeat(r, func(referenceFirst bool) (sample, error) {
		var s sample
		err := bothInOrder(referenceFirst,
			func() error { return b.terraformDataRun(ctx, ids, true, &s) },
			func() error {
				dir, err := b.prepare(chatMessages(ids), "resource", resourceTF, ids)
				if err != nil {
					return err
				}
				applied, err := b.apply(ctx, dir, b.env())
				if err != nil {
					return err
				}
				s.apply, s.peakKiB = applied.wall, applied.providerPeakKiB
				if err := b.collect(&s, n, ids); err != nil {
					return err
				}
				planned, asJSON, err := b.planNoChange(ctx, dir, b.env(), n)
				s.plan, s.planJSON = planned.wall, asJSON
				return err
			})
		return s, err
	})
}

func (b *bench) actionCase(ctx context.Context, n int) (*row, error) {
	ids := messageIDs("12", n)
	viaTerraform := b.tfVersion.atLeast(1, 14)
	r := &row{
		name: fmt.Sprintf("%s IDs in one action", thousands(n)), calls: callsFor(n), floor: floorOf(callsFor(n)),
		reference: "terraform_data holding the same list", ratioOf: "invoke ÷ (floor + reference)",
	}
	switch {
	case !viaTerraform:
		r.name += " (protocol level)"
		r.ratioOf = "protocol-level invoke ÷ floor"
	case b.asJSON(n):
		r.name += " (`apply -json`)"
	}
	r.ratio = func(s sample) float64 {
		if !viaTerraform {
			return s.apply.Seconds() / r.floor.Seconds()
		}
		return s.apply.Seconds() / (r.floor + s.refApply).Seconds()
	}
	return b.repeat(r, func(referenceFirst bool) (sample, error) {
		var s sample
		err := bothInOrder(referenceFirst,
			func() error { return b.terraformDataRun(ctx, ids, false, &s) },
			func() error {
				dir, err := b.prepare(chatMessages(ids), "action", actionTF, ids)
				if err != nil {
					return err
				}
				var invoked commandResult
				if viaTerraform {
					args := []string{"-invoke=action." + benchActionType + ".big"}
					if b.asJSON(n) {
						args = append(args, "-json")
					}
					invoked, err = b.apply(ctx, dir, b.env(), args...)
				} else {
					invoked, err = b.protocolAction(ctx, filepath.Join(dir, "ids.txt"))
				}
				if err != nil {
					return err
				}
				s.apply, s.peakKiB = invoked.wall, invoked.providerPeakKiB
				return b.collect(&s, n, ids)
			})
		return s, err
	})
}

// protocolAction runs the action at protocol level in a child process and times it whole,
// sampling the child's peak memory as for a provider process.
func (b *bench) protocolAction(ctx context.Context, idsPath string) (commandResult, error) {
	self, err := os.Executable()
	if err != nil {
		return commandResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, b.opts.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, self, protocolActionCommand, "-ids", idsPath)
	cmd.Env = b.env()
	output := &limitedBuffer{limit: 64 << 10}
	cmd.Stdout, cmd.Stderr = output, output
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return commandResult{}, err
	}
	sampler := startSelfRSSSampler(cmd.Process.Pid)
	err = cmd.Wait()
	result := commandResult{wall: time.Since(started), providerPeakKiB: sampler.stop()}
	if err != nil {
		return result, fmt.Errorf("the action at protocol level: %w\n%s", err, output.String())
	}
	return result, nil
}

func (b *bench) manyCase(ctx context.Context) (*row, error) {
	count := b.opts.manyResources
	ids := messageIDs("13", count*easemob.MessageIDsPerCall)
	r := &row{
		name: fmt.Sprintf("%d resources, one call each, in one apply", count), calls: count, floor: floorOf(count),
		reference: fmt.Sprintf("%d terraform_data + local-exec curl", count), ratioOf: "apply ÷ reference",
		target: 1,
	}
	r.ratio = func(s sample) float64 { return s.apply.Seconds() / s.refApply.Seconds() }
	return b.repeat(r, func(referenceFirst bool) (sample, error) {
		var s sample
		err := bothInOrder(referenceFirst,
			func() error {
				dir, err := b.prepare(chatMessages(ids), "curl", fmt.Sprintf(curlResourcesTF, count), ids)
				if err != nil {
					return err
				}
				token, err := b.fetchToken(ctx)
				if err != nil {
					return err
				}
				applied, err := b.apply(ctx, dir, b.env("EASEMOB_TOKEN="+token, "EASEMOB_APP_URL="+b.baseURL+"/easemob/"+benchOrg+"/"+benchApp))
				if err != nil {
					return err
				}
				s.refApply = applied.wall
				var curl sample
				if err := b.collect(&curl, len(ids), ids); err != nil {
					return fmt.Errorf("the curl reference: %w", err)
				}
				s.refRefused = curl.refused
				return nil
			},
			func() error {
				dir, err := b.prepare(chatMessages(ids), "many", fmt.Sprintf(manyResourcesTF, count), ids)
				if err != nil {
					return err
				}
				applied, err := b.apply(ctx, dir, b.env())
				if err != nil {
					return err
				}
				s.apply, s.peakKiB = applied.wall, applied.providerPeakKiB
				return b.collect(&s, len(ids), ids)
			})
		return s, err
	})
}

// concurrentCase runs two applies at once against one app, as two CI jobs would, each with
// its own provider process and so its own limiter at the full documented rate.
func (b *bench) concurrentCase(ctx context.Context) (*row, error) {
	n := b.opts.concurrentIDs
	idSets := [2][]string{messageIDs("14", n), messageIDs("15", n)}
	all := slices.Concat(idSets[0], idSets[1])
	r := &row{
		name: fmt.Sprintf("two applies at once, %s IDs each", thousands(n)), calls: 2 * callsFor(n), floor: floorOf(2 * callsFor(n)),
		reference: fmt.Sprintf("terraform_data holding %s IDs", thousands(n)), ratioOf: "calls' span ÷ floor",
		target: 1.5, showSpan: true,
	}
	r.ratio = func(s sample) float64 { return s.span.Seconds() / r.floor.Seconds() }
	return b.repeat(r, func(referenceFirst bool) (sample, error) {
		var s sample
		err := bothInOrder(referenceFirst,
			func() error { return b.terraformDataRun(ctx, idSets[0], false, &s) },
			func() error {
				if err := b.reset(chatMessages(idSets[0], idSets[1])); err != nil {
					return err
				}
				var dirs [2]string
				for i, ids := range idSets {
					dir, err := b.workspace(fmt.Sprintf("concurrent-%d", i+1), resourceTF, ids)
					if err != nil {
						return err
					}
					dirs[i] = dir
				}
				var results [2]commandResult
				errs := make(chan error, 2)
				for i := range dirs {
					go func() {
						var err error
						results[i], err = b.apply(ctx, dirs[i], b.env())
						errs <- err
					}()
				}
				err := errors.Join(<-errs, <-errs)
				if err != nil {
					return err
				}
				s.apply = max(results[0].wall, results[1].wall)
				s.peakKiB = max(results[0].providerPeakKiB, results[1].providerPeakKiB)
				if err := b.collect(&s, 2*n, all); err != nil {
					return err
				}
				s.overlap, err = b.overlap(idSets[0][0][:2], idSets[1][0][:2])
				return err
			})
		return s, err
	})
}

// overlap reads from the emulator's log how long the calls of two jobs, told apart by the
// prefix of the message IDs they delete, overlapped: the two applies start together, but
// only calls sent at the same time compete for the quota.
func (b *bench) overlap(prefixA, prefixB string) (time.Duration, error) {
	type window struct{ first, last time.Time }
	windows := map[string]*window{}
	for _, req := range b.emu.Requests() {
		query, err := url.ParseQuery(req.Query)
		if req.Method != http.MethodDelete || err != nil || len(query.Get("msgIdList")) < 2 {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, req.Time)
		if err != nil {
			return 0, err
		}
		prefix := query.Get("msgIdList")[:2]
		w := windows[prefix]
		if w == nil {
			windows[prefix] = &window{first: at, last: at}
			continue
		}
		if at.Before(w.first) {
			w.first = at
		}
		if at.After(w.last) {
			w.last = at
		}
	}
	first, second := windows[prefixA], windows[prefixB]
	if first == nil || second == nil {
		return 0, fmt.Errorf("the emulator's log holds no calls of one of the two jobs")
	}
	start, end := first.first, first.last
	if second.first.After(start) {
		start = second.first
	}
	if second.last.Before(end) {
		end = second.last
	}
	return max(0, end.Sub(start)), nil
}

// prepare loads a fresh store holding messages, and writes a workspace for one run.
func (b *bench) prepare(messages []emulator.EasemobMessage, name, mainTF string, ids []string) (string, error) {
	if err := b.reset(messages); err != nil {
		return "", err
	}
	return b.workspace(name, mainTF, ids)
}

// collect reads the emulator's request log into s, and checks the store: every one of ids
// gone from alice's view, the kept messages still there, bob's copy untouched.
func (b *bench) collect(s *sample, n int, ids []string) error {
	var first, last time.Time
	for _, req := range b.emu.Requests() {
		if req.Method != http.MethodDelete {
			continue // token requests
		}
		at, err := time.Parse(time.RFC3339Nano, req.Time)
		if err != nil {
			return err
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
		s.calls++
		if req.Status == http.StatusTooManyRequests {
			s.refused++
		}
	}
	s.span = last.Sub(first)
	state := b.emu.Snapshot().Easemob
	if left := state.ChatView("alice", "bob"); !slices.Equal(left, keptIDs) {
		return fmt.Errorf("after the run alice's chat with bob holds %d messages, want only the %d kept ones: %d of %d IDs were not deleted, or a kept one was",
			len(left), len(keptIDs), len(left)-len(keptIDs), n)
	}
	if kept := state.ChatView("bob", "alice"); len(kept) != len(ids)+len(keptIDs) {
		return fmt.Errorf("bob's copy of the chat holds %d messages, want all %d: a deletion reached the wrong user", len(kept), len(ids)+len(keptIDs))
	}
	return nil
}

// limitedBuffer keeps the first limit bytes written to it.
type limitedBuffer struct {
	data  []byte
	limit int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.limit - len(l.data); room > 0 {
		l.data = append(l.data, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.data) }
