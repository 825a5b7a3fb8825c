// Package clitext is how the command words the library's errors: where
// they name a Config field, the command names its flag.
package clitext

import "strings"

// The library's errors name the Config fields that change what they
// report ("over the 64.0 MiB limit (Config.MaxPayload)"); the command
// names its flags instead, which is what its user can change.
var configToFlag = strings.NewReplacer(
	"Config.MaxPayload", "--max-payload",
	"Config.MaxWorkerRSS", "--max-worker-rss",
	"Config.Timeout", "--timeout",
	"Config.Retries", "--retries",
	"Config.PoisonAfter", "--poison-after",
	"Config.MaxRestarts", "--max-restarts",
	"Config.RestartWindow", "--restart-window",
	"Config.MaxTasksPerWorker", "--max-tasks-per-worker",
)

// Err is err's text as the command prints it.
func Err(err error) string { return configToFlag.Replace(err.Error()) }
