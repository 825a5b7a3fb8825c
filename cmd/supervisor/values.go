package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Flag values: each parses with an error that says what it wants, shows
// its default in the help (pflag hides a default it takes for a zero), and
// lists its choices for shell completion where it has any.

// errFlagValue wraps a value's own complaint so that flagError can put
// the flag's name and the value in front of it.
type errFlagValue struct{ msg string }

func (e *errFlagValue) Error() string { return e.msg }

func wantf(format string, args ...any) error { return &errFlagValue{msg: fmt.Sprintf(format, args...)} }

// intValue is a whole number; digits may be grouped with underscores.
type intValue struct{ p *int }

func newInt(p *int, def int) *intValue { *p = def; return &intValue{p} }

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return wantf("out of range")
	case err != nil:
		return wantf("want a whole number")
	}
	*v.p = int(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(*v.p) }
func (v *intValue) Type() string   { return "int" }

// durationValue is a duration with its unit.
type durationValue struct{ p *time.Duration }

func newDuration(p *time.Duration, def time.Duration) *durationValue {
	*p = def
	return &durationValue{p}
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return wantf("missing unit, e.g. 5s or 500ms")
		}
		return wantf("want a duration, e.g. 5s or 500ms")
	}
	*v.p = d
	return nil
}
func (v *durationValue) String() string { return v.p.String() }
func (v *durationValue) Type() string   { return "duration" }

// sizeValue is a number of bytes, e.g. 256MiB.
type sizeValue struct{ p *int64 }

func newSize(p *int64, def int64) *sizeValue { *p = def; return &sizeValue{p} }

func (v *sizeValue) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return wantf("want a size, e.g. 256MiB, 1GiB or a number of bytes")
	}
	*v.p = n
	return nil
}
func (v *sizeValue) String() string { return formatSize(*v.p) }
func (v *sizeValue) Type() string   { return "size" }

// choiceValue is one of a few words.
type choiceValue struct {
	p       *string
	choices []string
}

func newChoice(p *string, def string, choices ...string) *choiceValue {
	*p = def
	return &choiceValue{p, choices}
}

func (v *choiceValue) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return wantf("want %s", orList(v.choices))
	}
	*v.p = s
	return nil
}
func (v *choiceValue) String() string { return *v.p }
func (v *choiceValue) Type() string   { return "string" }

// listValue collects a repeatable flag's values in order.
type listValue struct{ p *[]string }

func (v *listValue) Set(s string) error { *v.p = append(*v.p, s); return nil }
func (v *listValue) String() string     { return strings.Join(*v.p, ",") }
func (v *listValue) Type() string       { return "string" }

// orList writes "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// parseSize reads a size such as 256MiB, 1GiB, 64k or 1048576.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"k", 1 << 10}, {"B", 1}}
	num, mult := s, int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (want e.g. 256MiB, 1GiB or a number of bytes)", s)
	}
	return n * mult, nil
}

// formatSize writes n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
