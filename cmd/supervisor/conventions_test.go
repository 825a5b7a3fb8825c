package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The command line's conventions (issue #13): help, suggestions, version,
// completion, exit codes and the JSON on both streams.

func TestEverySubcommandHasHelp(t *testing.T) {
	for _, sub := range []string{"", "tasks", "compare", "bench", "ps", "top", "kill", "version", "help", "completion", "completion bash"} {
		t.Run("supervisor "+sub, func(t *testing.T) {
			t.Parallel()
			words := strings.Fields(sub)
			r := runCLI(t, append(words, "--help")...)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage:\n  supervisor "+sub) || r.stderr != "" {
				t.Fatalf("%s --help: exit %d, stderr %q, stdout:\n%s", sub, r.code, r.stderr, r.stdout)
			}
			if sub != "completion bash" && sub != "help" && !strings.Contains(r.stdout, "Examples:\n") {
				t.Errorf("%s --help has no examples:\n%s", sub, r.stdout)
			}
			if sub == "" {
				return
			}
			viaHelp := runCLI(t, append([]string{"help"}, words...)...)
			if viaHelp.code != 0 || viaHelp.stdout != r.stdout {
				t.Errorf("help %s: exit %d, output differs from %s --help:\n%s", sub, viaHelp.code, sub, viaHelp.stdout)
			}
		})
	}
}

// TestTopHelpListsEverything: the commands and every flag can be found
// from supervisor --help, flags with two dashes and their defaults.
func TestTopHelpListsEverything(t *testing.T) {
	r := runCLI(t, "--help")
	for _, cmd := range []string{"tasks", "compare", "bench", "ps", "top", "kill", "version", "completion", "help"} {
		if !regexp.MustCompile(`(?m)^  ` + cmd + ` +\S`).MatchString(r.stdout) {
			t.Errorf("--help does not list the command %s:\n%s", cmd, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "  worker ") {
		t.Error("--help lists the hidden worker command")
	}
	for _, want := range []string{`--mode mode `, `(default "process")`, `--workers int`, `--task string`, `(default "primes")`,
		`--grace duration`, `(default 500ms)`, `--max-payload size`, `(default 64MiB)`, `--ipc path`, `(default "frame")`, "Exit status:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "-") && !strings.HasPrefix(f[0], "--") && f[0] != "-h," && f[0] != "-v," {
			t.Errorf("a flag shown with one dash: %q", line)
		}
	}
}

func TestSuggestions(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"kil", "2"}, `unknown command "kil"; did you mean "kill"?`},
		{[]string{"comapre"}, `did you mean "compare"?`},
		{[]string{"--task=prime"}, "--task=prime: unknown task; did you mean primes?"},
		{[]string{"--worker=3"}, "unknown flag --worker; did you mean --workers?"},
		{[]string{"--add=sgev"}, `unknown task "sgev"; did you mean segv?`},
		{[]string{"ps", "--jsno"}, "unknown flag --jsno; did you mean --json?"},
		{[]string{"help", "kil"}, `unknown help topic "kil"; did you mean "kill"?`},
		{[]string{"completion", "bsah"}, `unknown shell, want bash, fish, powershell or zsh; did you mean "bash"?`},
		{[]string{"kill", "-5"}, "unknown flag -5"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, c.args...)
			if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", r.code, r.stderr, c.want)
			}
		})
	}
}

// TestAWordThatIsAnInputStaysAnInput: only a word the task refuses is
// taken for a mistyped command.
func TestAWordThatIsAnInputStaysAnInput(t *testing.T) {
	r, tasks, _ := jsonRun(t, "--mode=thread", "--task=echo", "kil")
	if r.code != 0 || len(tasks) != 1 || tasks[0].Output != "kil" {
		t.Errorf("echo kil: exit %d, %+v, %s", r.code, tasks, r.stderr)
	}
	r, tasks, _ = jsonRun(t, "--mode=thread", "--task=echo", "--", "-5", "--json")
	if r.code != 0 || len(tasks) != 2 || tasks[0].Input == tasks[1].Input {
		t.Errorf("echo -- -5 --json: exit %d, %+v, %s", r.code, tasks, r.stderr)
	}
	r, tasks, _ = jsonRun(t, "--task=echo", "-5", "--mode=thread", "-0.5", "--workers=1")
	slices.SortFunc(tasks, func(a, b taskLine) int { return int(a.ID) - int(b.ID) })
	if r.code != 0 || len(tasks) != 2 || tasks[0].Output != "-5" || tasks[1].Output != "-0.5" {
		t.Errorf("echo -5 --mode=thread -0.5: exit %d, %+v, %s", r.code, tasks, r.stderr)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, args...)
		if r.code != 0 || !regexp.MustCompile(`^supervisor \S+.*, go1\.\d+.* \w+/\w+\n$`).MatchString(r.stdout) {
			t.Errorf("%v: exit %d, %q %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := runCLI(t, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "supervisor") || len(r.stdout) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes, %s", shell, r.code, len(r.stdout), r.stderr)
		}
	}
	// What the shells ask the binary when the user presses Tab.
	r := runCLI(t, "__complete", "--task", "")
	for _, task := range []string{"primes\t", "fetch\t", "segv\t"} {
		if !strings.Contains(r.stdout, "\n"+task) && !strings.HasPrefix(r.stdout, task) {
			t.Errorf("--task does not complete to %q:\n%s", task, r.stdout)
		}
	}
	r = runCLI(t, "__complete", "--mode=")
	if !strings.Contains(r.stdout, "\nthread\n") {
		t.Errorf("--mode= does not complete to thread:\n%s", r.stdout)
	}
	r = runCLI(t, "__complete", "ki")
	if !strings.Contains(r.stdout, "kill") {
		t.Errorf("ki does not complete to kill:\n%s", r.stdout)
	}
}

// TestBounds: values that used to panic, exhaust memory or hang (issue
// #9) are one-line usage errors naming the bound.
func TestBounds(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--repeat=9223372036854775807"}, "--repeat=9223372036854775807: want from 1 to 10000000"},
		{[]string{"--repeat=100000000000"}, "want from 1 to 10000000"},
		{[]string{"--task=echo", "--repeat=5000000", "a", "b", "c"}, "more than 10000000 tasks"},
		{[]string{"--add=echo*9223372036854775807"}, "from 1 to 10000000"},
		{[]string{"--workers=1_000_000"}, "want from 1 to 4096"},
		{[]string{"--spares=2147483648"}, "--spares=2147483648: want from 0 to"},
		{[]string{"--spares=-1"}, "--spares=-1: want from 0 to"},
		{[]string{"--retries=-1"}, "--retries=-1: want from 0 to 100"},
		{[]string{"--max-tasks-per-worker=-1"}, "--max-tasks-per-worker=-1: want from 0"},
		{[]string{"--in-flight=100000"}, "--in-flight=100000: want from 0 to 1024"},
		{[]string{"--max-payload=2GiB"}, "--max-payload=2GiB: want from 1 byte to 1GiB"},
		{[]string{"--workers=99999999999999999999"}, "--workers=99999999999999999999: out of range"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, c.args...)
			if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", r.code, r.stderr, c.want)
			}
		})
	}
}

// TestJSONLines: empty fields are left out, every task has start and end
// times, bytes that are not UTF-8 survive as base64 (issue #13).
func TestJSONLines(t *testing.T) {
	binaryInput := "\xff\xfeok"
	r, _, _ := jsonRun(t, "--mode=thread", "--task=echo", "plain", binaryInput)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l["type"] != "task" {
			continue
		}
		for k, v := range l {
			if v == "" || v == 0.0 {
				t.Errorf("empty field %q in %s", k, sc.Text())
			}
		}
		startText, _ := l["start"].(string)
		endText, _ := l["end"].(string)
		start, err1 := time.Parse(time.RFC3339Nano, startText)
		end, err2 := time.Parse(time.RFC3339Nano, endText)
		if err1 != nil || err2 != nil || end.Before(start) {
			t.Errorf("timestamps %v %v: %v %v", l["start"], l["end"], err1, err2)
		}
		if l["input"] == "plain" {
			if l["output"] != "plain" || l["input_encoding"] != nil {
				t.Errorf("a UTF-8 input was encoded: %v", l)
			}
			continue
		}
		inText, _ := l["input"].(string)
		outText, _ := l["output"].(string)
		in, _ := base64.StdEncoding.DecodeString(inText)
		out, _ := base64.StdEncoding.DecodeString(outText)
		if l["input_encoding"] != "base64" || l["output_encoding"] != "base64" || string(in) != binaryInput || string(out) != binaryInput {
			t.Errorf("binary input and output: %v", l)
		}
	}
}

// TestLogFormatJSONMakesAllOfStderrJSON: the supervisor's own lines too,
// events and errors included.
func TestLogFormatJSONMakesAllOfStderrJSON(t *testing.T) {
	for _, args := range [][]string{
		{"--log-format=json", "--log-level=info", "--task=sleep", "--add=segv", "--workers=1", "1ms"},
		{"--log-format=json", "--metrics-addr=nonsense:address:", "1"},
		{"--log-format=json", "--worker=3"},
	} {
		r := runCLI(t, args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if len(lines) < 1 || r.code == 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		for _, line := range lines {
			var l struct{ Level, Msg string }
			if err := json.Unmarshal([]byte(line), &l); err != nil || l.Level == "" || strings.HasPrefix(l.Msg, "supervisor:") {
				t.Errorf("%v: stderr line is not a JSON log line: %q", args, line)
			}
		}
	}
}
