package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/supervisor"
)

// dashboardFile is the Grafana dashboard built on these metrics.
const dashboardFile = "../../deploy/grafana-dashboard.json"

type dashboard struct {
	UID        string `json:"uid"`
	Title      string `json:"title"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		GridPos struct{ X, Y, W, H int }
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestDashboardUsesOnlyExportedMetrics: every metric the dashboard's
// queries name is one this package exports, so the dashboard cannot drift
// from the metrics; panels have distinct ids and fit Grafana's 24 columns.
func TestDashboardUsesOnlyExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || d.Title == "" {
		t.Error("the dashboard has no uid or title")
	}
	exported := exportedNames(t)
	names := regexp.MustCompile(`supervisor_[a-z_]+`)
	ids := map[int]bool{}
	queries := 0
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W < 1 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: gridPos %+v outside 24 columns", p.Title, p.GridPos)
		}
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			for _, n := range names.FindAllString(tg.Expr, -1) {
				if !exported[n] {
					t.Errorf("panel %q uses %s, which is not exported", p.Title, n)
				}
			}
		}
	}
	for _, v := range d.Templating.List {
		q, _ := json.Marshal(v.Query)
		for _, n := range names.FindAllString(string(q), -1) {
			if !exported[n] {
				t.Errorf("variable %s uses %s, which is not exported", v.Name, n)
			}
		}
	}
	if queries < 10 {
		t.Errorf("%d queries; the dashboard lost its panels?", queries)
	}
}

// exportedNames is every series name a process-mode run exports, with a
// histogram's _bucket, _sum and _count.
func exportedNames(t *testing.T) map[string]bool {
	reg := prometheus.NewPedanticRegistry()
	c := New(reg, processRun)
	feed(c)
	c.Watch(fakeSource{workers: []supervisor.WorkerInfo{{ID: 1, Pool: "default", PID: os.Getpid(), State: supervisor.StateBusy, RSS: 1}}})
	out := map[string]bool{}
	for _, line := range strings.Split(exposition(t, reg), "\n") {
		if f := strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == ' ' }); len(f) > 0 && !strings.HasPrefix(line, "#") {
			out[f[0]] = true
		}
	}
	return out
}
