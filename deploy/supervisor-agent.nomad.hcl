# Nomad system job: one supervisor agent on every client node, taking tasks
# from NATS JetStream (docs/cluster.md).
#
# Tested: nothing here ran under Nomad: Nomad could not be installed where
# this was written. The command it runs is the one the cluster chaos test runs
# on each of its hosts (make test-cluster).
# Not tested: this job file, the raw_exec driver's kill_signal handling,
# restarts by Nomad.
#
# Set nats_url to your JetStream cluster (with sync_interval: always, see
# docs/cluster.md, Durability). The binary must be at
# /usr/local/bin/supervisor on every node.

variable "nats_url" {
  type    = string
  default = "nats://nats.service.consul:4222"
}

job "supervisor-agent" {
  type = "system"

  group "agent" {
    restart {
      attempts = 5
      interval = "1m"
      delay    = "2s"
      mode     = "delay"
    }

    task "agent" {
      driver = "raw_exec"

      config {
        command = "/usr/local/bin/supervisor"
        args    = ["agent", "--nats=${var.nats_url}", "--name=${node.unique.name}", "--log-format=json"]
      }

      # SIGTERM, then the drain (default 5s), then exit 0.
      kill_signal  = "SIGTERM"
      kill_timeout = "30s"

      resources {
        cpu    = 2000
        memory = 512
      }
    }
  }
}
