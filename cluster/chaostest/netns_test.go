package chaostest

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A testNet is the hosts of one round: a network namespace each, linked by
// veth pairs to a bridge in a namespace of its own, with addresses from
// 198.18.0.0/15 (set aside for tests, RFC 2544) on links the round creates
// and removes. Nothing outside the namespaces is touched.
type testNet struct {
	prefix string // begins every namespace and link name: short and unique
	hosts  []string
}

const subnet = "198.18.0."

// addr is host i's address (i from 1), the client's being 10.
func addr(i int) string { return subnet + strconv.Itoa(i) }

func (n *testNet) ns(host string) string { return n.prefix + host }

// newNet creates the namespaces sw (the bridge) and each of hosts, and
// removes them when the test ends, even if it fails.
func newNet(t *testing.T, prefix string, hosts []string, ips []int) *testNet {
	n := &testNet{prefix: prefix, hosts: hosts}
	t.Cleanup(func() { n.remove(t) })
	sw := n.ns("sw")
	sh(t, "ip", "netns", "add", sw)
	sh(t, "ip", "-n", sw, "link", "add", "br0", "type", "bridge")
	sh(t, "ip", "-n", sw, "link", "set", "br0", "up")
	for i, h := range hosts {
		ns, in, out := n.ns(h), n.prefix+h, n.prefix+"s"+h
		sh(t, "ip", "netns", "add", ns)
		sh(t, "ip", "link", "add", in, "type", "veth", "peer", "name", out)
		sh(t, "ip", "link", "set", in, "netns", ns)
		sh(t, "ip", "link", "set", out, "netns", sw)
		sh(t, "ip", "-n", sw, "link", "set", out, "master", "br0", "up")
		sh(t, "ip", "-n", ns, "addr", "add", addr(ips[i])+"/24", "dev", in)
		sh(t, "ip", "-n", ns, "link", "set", in, "up")
		sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	return n
}

// remove kills whatever still runs in the namespaces and deletes them,
// which deletes their links and nftables tables too.
func (n *testNet) remove(t *testing.T) {
	for _, h := range append([]string{"sw"}, n.hosts...) {
		for _, pid := range n.pids(h) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		if out, err := exec.Command("ip", "netns", "del", n.ns(h)).CombinedOutput(); err != nil {
			t.Logf("ip netns del %s: %v: %s", n.ns(h), err, out)
		}
	}
}

// pids lists the processes in host's namespace.
func (n *testNet) pids(host string) []int {
	out, _ := exec.Command("ip", "netns", "pids", n.ns(host)).Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signalHost sends sig to every process of host: the whole host at once.
func (n *testNet) signalHost(host string, sig syscall.Signal) int {
	pids := n.pids(host)
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
	return len(pids)
}

// link cuts host off the bridge (a partition), or heals it.
func (n *testNet) link(host string, up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	return run("ip", "-n", n.ns("sw"), "link", "set", n.prefix+"s"+host, state)
}

// oneWay makes host drop what it receives from the address from, while
// what it sends still goes out; heal removes the rule's table.
func (n *testNet) oneWay(host, from string) error {
	rules := fmt.Sprintf(`table inet svchaos {
	chain input { type filter hook input priority 0; policy accept; ip saddr %s drop; }
}
`, from)
	cmd := exec.Command("ip", "netns", "exec", n.ns(host), "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft: %v: %s", err, out)
	}
	return nil
}

func (n *testNet) heal(host string) error {
	return run("ip", "netns", "exec", n.ns(host), "nft", "delete", "table", "inet", "svchaos")
}

// sh runs a command that must succeed, from the test's goroutine.
func sh(t *testing.T, name string, args ...string) {
	t.Helper()
	if err := run(name, args...); err != nil {
		t.Fatal(err)
	}
}

func run(name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}
