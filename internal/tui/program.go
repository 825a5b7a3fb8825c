package tui

import (
	"context"
	"io"

	tea "charm.land/bubbletea/v2"
)

// Options describe how the view ends a run and, for tests, the terminal.
type Options struct {
	// Stop stops the run as a user's quit does (q): no task starts, running
	// ones are cancelled, the workers stop, by force once ctx ends. Nil
	// means the view watches a run it does not own ("supervisor top"): q
	// leaves the view and the run goes on.
	Stop func(ctx context.Context) error

	// Input and Output default to the terminal (stdin, or /dev/tty when
	// stdin is not one, and stdout).
	Input  io.Reader
	Output io.Writer
}

// A Program is a running view.
type Program struct {
	p    *tea.Program
	done chan struct{}
	err  error
}

// Start shows the view on the terminal until [Program.Finish] and a key
// press, or until q when the view does not own the run. It does not
// handle SIGINT or SIGTERM: the caller's handler stops the run (or, for a
// view of another process's run, calls Finish), and the view shows it
// ending.
func Start(pool Pool, opts Options) *Program {
	topts := []tea.ProgramOption{tea.WithoutSignalHandler()}
	if opts.Input != nil {
		topts = append(topts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		topts = append(topts, tea.WithOutput(opts.Output))
	}
	pr := &Program{p: tea.NewProgram(newModel(pool, opts), topts...), done: make(chan struct{})}
	go func() {
		defer close(pr.done)
		_, pr.err = pr.p.Run()
	}()
	return pr
}

// Finish tells the view that the run has ended, with its summary. The view
// keeps the final screen until a key is pressed, unless the user had asked
// to quit. It does nothing if the view has already gone.
func (p *Program) Finish(summary string) {
	p.p.Send(finishMsg{summary: summary}) // a no-op once the program has exited
}

// Wait returns once the view has given the terminal back, with its error
// (such as no terminal to open).
func (p *Program) Wait() error {
	<-p.done
	return p.err
}

// Quit closes the view and gives the terminal back, as when it is left
// with a key. It does nothing if the view has already gone.
func (p *Program) Quit() { p.p.Quit() }
