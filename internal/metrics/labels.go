package metrics

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/procpool/supervisor/supervisor"
)

// routes says which pool a task goes to, as the supervisor routes it: the
// pool that lists its name, else the pool that takes any task.
type routes struct {
	byTask map[string]string
	any    string // "" when every pool lists its tasks
}

// noPool labels a task no pool takes (its result is ErrNoPool).
const noPool = "none"

func newRoutes(pools []supervisor.Pool) routes {
	if len(pools) == 0 {
		return routes{any: "default"}
	}
	r := routes{byTask: map[string]string{}}
	for _, p := range pools {
		if len(p.Tasks) == 0 && r.any == "" {
			r.any = p.Name
		}
		for _, t := range p.Tasks {
			if _, dup := r.byTask[t]; !dup {
				r.byTask[t] = p.Name
			}
		}
	}
	return r
}

func (r routes) pool(task string) string {
	if p, ok := r.byTask[task]; ok {
		return p
	}
	if r.any != "" {
		return r.any
	}
	return noPool
}

// names are the pools' names, "default" when there is no Pools.
func poolNames(pools []supervisor.Pool) []string {
	if len(pools) == 0 {
		return []string{"default"}
	}
	var out []string
	for _, p := range pools {
		out = append(out, p.Name)
	}
	return out
}

// preinitialise creates the series the run will touch at 0, so that
// rate() and increase() see their first event: every status of every
// task, and the kills and deaths a run of this mode has.
func (c *Collector) preinitialise(o Options) {
	for _, task := range o.Tasks {
		pool := c.routes.pool(task)
		for _, st := range supervisor.Statuses() {
			c.tasks.WithLabelValues(pool, task, st.String())
		}
		c.duration.WithLabelValues(pool, task)
	}
	for _, p := range poolNames(o.Pools) {
		c.overhead.WithLabelValues(p)
	}
	signals, deaths := []string{"SIGKILL", "SIGTERM"}, [][2]string{
		{"SIGKILL", "true"}, {"SIGKILL", "false"}, {"SIGTERM", "true"}, {"SIGTERM", "false"}}
	if o.Mode == supervisor.ModeThread {
		signals, deaths = []string{"cancel"}, [][2]string{{"abandoned", "true"}}
	}
	for _, s := range signals {
		c.kills.WithLabelValues(s)
	}
	for _, d := range deaths {
		c.deaths.WithLabelValues(d[0], d[1])
	}
}

// newInfo is supervisor_info: 1, labelled with what describes the whole
// run, in place of a label repeated on every series; the build's labels
// are named as in Prometheus's own build_info.
func newInfo(o Options) prometheus.Collector {
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "info",
		Help: "The run's mode (process or thread) and data path (process mode), and the program's version, VCS revision and Go version; always 1."},
		[]string{"mode", "ipc", "version", "revision", "goversion"})
	ipc := ""
	if o.Mode == supervisor.ModeProcess {
		ipc = string(o.IPC)
	}
	info.WithLabelValues(o.Mode.String(), ipc, o.Version, o.Revision, runtime.Version()).Set(1)
	return info
}
