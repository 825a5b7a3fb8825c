package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// RegisterError makes err, a sentinel error that tasks return (wrapped or
// not), keep its identity across the process boundary in the Default
// registry; see Registry.RegisterError.
func RegisterError(err error) { Default.RegisterError(err) }

// RegisterErrorType makes errors of example's type keep their identity
// across the process boundary in the Default registry; see
// Registry.RegisterErrorType.
func RegisterErrorType(example error) { Default.RegisterErrorType(example) }

// RegisterError makes err, a sentinel error a task may return (wrapped or
// not), keep its identity across the process boundary: in the
// supervisor's process, errors.Is(taskErr, err) is true in process mode as
// it is in thread mode. Register it in every process, as tasks are: at
// package level. Sentinels travel by their text, so give each a message of
// its own; registering a second one with the same text panics.
func (r *Registry) RegisterError(err error) {
	if err == nil {
		panic("worker: RegisterError(nil)")
	}
	r.errors.addSentinel(err)
}

// RegisterErrorType makes errors of example's type (usually a pointer to
// a struct) keep their identity across the process boundary: errors.As
// finds, in the supervisor's process, a copy whose exported fields
// travelled as JSON. Register it in every process, at package level.
func (r *Registry) RegisterErrorType(example error) {
	if example == nil {
		panic("worker: RegisterErrorType(nil)")
	}
	r.errors.addType(reflect.TypeOf(example))
}

// errorRegistry is what a Registry knows of errors.
type errorRegistry struct {
	mu        sync.RWMutex
	sentinels map[string]error
	types     map[string]reflect.Type
}

func (e *errorRegistry) addSentinel(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sentinels == nil {
		e.sentinels = map[string]error{}
	}
	if old, dup := e.sentinels[err.Error()]; dup && old != err {
		panic(fmt.Sprintf("worker: two sentinel errors registered with the text %q", err.Error()))
	}
	e.sentinels[err.Error()] = err
}

func (e *errorRegistry) addType(t reflect.Type) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.types == nil {
		e.types = map[string]reflect.Type{}
	}
	e.types[t.String()] = t
}

// A WireError is an error as it crosses the process boundary: its text,
// the registered sentinels it wraps (by their text), and the registered
// error types it wraps, as JSON.
type WireError struct {
	Message   string
	Sentinels []string
	Values    []WireValue
}

// A WireValue is one registered error type's value.
type WireValue struct {
	Type string // the Go type, e.g. "*images.DecodeError"
	JSON []byte
}

// ToWire describes err, a task's error, for the trip to the supervisor.
func (r *Registry) ToWire(err error) WireError {
	w := WireError{Message: err.Error()}
	e := &r.errors
	e.mu.RLock()
	defer e.mu.RUnlock()
	for text, s := range e.sentinels {
		if errors.Is(err, s) {
			w.Sentinels = append(w.Sentinels, text)
		}
	}
	for name, t := range e.types {
		target := reflect.New(t)
		if !errors.As(err, target.Interface()) {
			continue
		}
		if b, jerr := json.Marshal(target.Elem().Interface()); jerr == nil {
			w.Values = append(w.Values, WireValue{Type: name, JSON: b})
		}
	}
	return w
}

// FromWire rebuilds a task's error in the supervisor's process: a
// *RemoteError with the original text, wrapping the registered sentinels
// and typed values it wrapped (those this registry knows) and also.
func (r *Registry) FromWire(w WireError, also ...error) error {
	re := &RemoteError{Message: w.Message}
	for _, a := range also {
		if a != nil {
			re.wrapped = append(re.wrapped, a)
		}
	}
	e := &r.errors
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, text := range w.Sentinels {
		if s, ok := e.sentinels[text]; ok {
			re.wrapped = append(re.wrapped, s)
		}
	}
	for _, v := range w.Values {
		if t, ok := e.types[v.Type]; ok {
			if err := decodeValue(t, v.JSON); err != nil {
				re.wrapped = append(re.wrapped, err)
			}
		}
	}
	return re
}

// decodeValue makes a value of the error type t from its JSON, or nil.
func decodeValue(t reflect.Type, b []byte) error {
	var v reflect.Value
	if t.Kind() == reflect.Pointer {
		v = reflect.New(t.Elem())
		if json.Unmarshal(b, v.Interface()) != nil {
			return nil
		}
	} else {
		p := reflect.New(t)
		if json.Unmarshal(b, p.Interface()) != nil {
			return nil
		}
		v = p.Elem()
	}
	err, _ := v.Interface().(error)
	return err
}

// A RemoteError is a task's error from a worker process, as the
// supervisor's process sees it: the original text, and the registered
// sentinels and typed errors it wrapped, which errors.Is and errors.As
// find.
type RemoteError struct {
	Message string
	wrapped []error
}

func (e *RemoteError) Error() string   { return e.Message }
func (e *RemoteError) Unwrap() []error { return e.wrapped }
