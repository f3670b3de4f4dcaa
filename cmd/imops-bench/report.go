package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// describeSample is the progress line of one run.
func describeSample(r *row, s sample) string {
	line := fmt.Sprintf("apply %s, reference %s, ratio %.2f, %d calls, %d refused, span %s, provider peak %s",
		seconds(s.apply), seconds(s.refApply), r.ratio(s), s.calls, s.refused, seconds(s.span), mebibytes(s.peakKiB))
	if r.showSpan {
		line += fmt.Sprintf(", jobs' calls overlapped %.1f s", s.overlap.Seconds())
	}
	if s.plan > 0 {
		line += fmt.Sprintf(", later plan %s (reference %s)", seconds(s.plan), seconds(s.refPlan))
		if s.planJSON {
			line += " with -json"
		}
	}
	return line
}

// median returns the middle of values (the mean of the two middle ones for an even count).
func median[T int | int64 | float64 | time.Duration](values []T) T {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	middle := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[middle]
	}
	return (sorted[middle-1] + sorted[middle]) / 2
}

// medianOf is the median of one figure over a row's samples.
func medianOf[T int | int64 | float64 | time.Duration](samples []sample, figure func(sample) T) T {
	values := make([]T, len(samples))
	for i, s := range samples {
		values[i] = figure(s)
	}
	return median(values)
}

func seconds(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

func mebibytes(kib int64) string {
	if kib == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(kib)/1024, 'f', 0, 64) + " MiB"
}

// thousands writes n with commas: 100000 → "100,000".
func thousands(n int) string {
	digits := strconv.Itoa(n)
	var b strings.Builder
	for i, digit := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(digit)
	}
	return b.String()
}

// verdict compares a ratio with its target.
func verdict(ratio, target float64) string {
	switch {
	case target == 0:
		return fmt.Sprintf("%.2f", ratio)
	case ratio <= target:
		return fmt.Sprintf("%.2f (≤ %.1f: met)", ratio, target)
	default:
		return fmt.Sprintf("**%.2f** (≤ %.1f: missed)", ratio, target)
	}
}

// printReport writes the medians of every row as a Markdown table, with the machine and the
// command line, ready to paste into the README.
func printReport(w io.Writer, m machine, opts options, rows []*row) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## imops-bench: medians of %d run(s) per case\n\n", opts.repeat)
	fmt.Fprintf(w, "Machine: %s, %s cores, load average at start %s; %s; %s; provider built from %s.\n",
		orUnknown(m.CPU), m.Cores, orUnknown(m.Load), m.Go, m.Terraform, orUnknown(m.Commit))
	fmt.Fprintf(w, "Emulated Easemob app: 100 calls/s (a burst of %s's worth), %s latency per call, 50 IDs per call.\n\n",
		opts.quotaBurst, opts.latency)
	fmt.Fprintln(w, "| case | apply | vendor floor | reference (same run) | ratio | later no-change plan | calls (refused) | provider peak RSS |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		ratio := medianOf(r.samples, r.ratio)
		reference := fmt.Sprintf("%s: %s", r.reference, seconds(medianOf(r.samples, func(s sample) time.Duration { return s.refApply })))
		if refused := medianOf(r.samples, func(s sample) int { return s.refRefused }); refused > 0 {
			reference += fmt.Sprintf(" (%d refused)", refused)
		}
		plan := "—"
		if planned := medianOf(r.samples, func(s sample) time.Duration { return s.plan }); planned > 0 {
			refPlan := medianOf(r.samples, func(s sample) time.Duration { return s.refPlan })
			planRatio := medianOf(r.samples, func(s sample) float64 { return s.plan.Seconds() / s.refPlan.Seconds() })
			plan = fmt.Sprintf("%s vs %s: %s", seconds(planned), seconds(refPlan), verdict(planRatio, r.planTarget))
			if r.samples[0].planJSON {
				plan = "`plan -json` " + plan
			}
		}
		calls := medianOf(r.samples, func(s sample) int { return s.calls })
		refused := medianOf(r.samples, func(s sample) int { return s.refused })
		callsText := fmt.Sprintf("%s (%d", thousands(calls), refused)
		if calls > 0 {
			callsText += fmt.Sprintf(", %.1f%%", 100*float64(refused)/float64(calls))
		}
		callsText += ")"
		if r.showSpan {
			callsText += fmt.Sprintf(", all within %s (the two jobs' calls overlapped %.1f s)",
				seconds(medianOf(r.samples, func(s sample) time.Duration { return s.span })),
				medianOf(r.samples, func(s sample) time.Duration { return s.overlap }).Seconds())
		}
		fmt.Fprintf(w, "| %s | %s | %s calls: %s | %s | %s: %s | %s | %s | %s |\n",
			r.name, seconds(medianOf(r.samples, func(s sample) time.Duration { return s.apply })), thousands(r.calls), seconds(r.floor),
			reference, r.ratioOf, verdict(ratio, r.target), plan, callsText, mebibytes(medianOf(r.samples, func(s sample) int64 { return s.peakKiB })))
	}
	fmt.Fprintf(w, "\nReproduce: %s\n", reproduceCommand(opts))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// reproduceCommand is the command line that measures the same cases again.
func reproduceCommand(opts options) string {
	if opts.smoke {
		return "make bench-smoke"
	}
	sizes := make([]string, len(opts.sizes))
	for i, n := range opts.sizes {
		sizes[i] = strconv.Itoa(n)
	}
	var cases []string
	for _, c := range allCases {
		if opts.cases[c] {
			cases = append(cases, c)
		}
	}
	return fmt.Sprintf("go run ./cmd/imops-bench -sizes %s -cases %s -repeat %d -latency %s -quota-burst %s -concurrent-ids %d -many %d -json-above %d",
		strings.Join(sizes, ","), strings.Join(cases, ","), opts.repeat, opts.latency, opts.quotaBurst, opts.concurrentIDs, opts.manyResources, opts.jsonAbove)
}
