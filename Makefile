# supervisor: run tasks on worker processes or goroutines, and measure both.
# Every target prints what it does; nothing here needs to be installed by hand
# except for `make proto` (see its comment).

GO        ?= go
BIN       := bin/supervisor
PKGS      := ./...
# Static, without gRPC's tracing: a worker starts faster (docs/benchmarks.md).
BUILDFLAGS := -tags grpcnotrace
export CGO_ENABLED := 0

.PHONY: all build run deps test soak lint vet fmt-check bench proto proto-check clean

all: lint test build

## build: the supervisor binary in bin/
build:
	@echo "==> build $(BIN)"
	@$(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/supervisor

## run: the seed's demo (primes) in process mode
run: build
	@echo "==> $(BIN) --mode=process"
	@./$(BIN) --mode=process

## deps: the Go modules the build and the tests need, into the module cache. Nothing is
## installed system-wide: the metrics test checks a scrape with client_golang's own linter
## and the exposition parser, not promtool.
deps:
	@echo "==> go mod download"
	@$(GO) mod download

# STRESS is how long `make test` runs the library's randomized stress suite (both modes, real
# worker processes, faults injected from outside); empty turns it off.
STRESS ?= 30s
# SOAK is how long `make soak` runs the stress suite; SOAKFLAGS adds flags, e.g.
# SOAKFLAGS='-stress.mode=thread' or '-stress.seed=N -stress.runs=1' to replay one run.
SOAK ?= 10m
SOAKFLAGS ?=

## test: formatting and vet checks, then every test with the race detector
test: deps lint
	@echo "==> go test -race$(if $(STRESS), (stress suite for $(STRESS)))"
	@CGO_ENABLED=1 SUPERVISOR_STRESS=$(STRESS) $(GO) test -race -timeout=20m $(PKGS)

## soak: the stress suite for $(SOAK); prints the seed and replay command of any failing run,
## then the figures (runs, operations, tasks, faults injected). Each run bounds itself in
## operations and time, hence no test timeout.
soak:
	@echo "==> stress suite for $(SOAK)"
	@CGO_ENABLED=1 $(GO) test -race -timeout=0 -run '^TestStress$$' -v ./supervisor/ -stress.duration=$(SOAK) $(SOAKFLAGS)

## lint: gofmt and go vet
lint: fmt-check vet

fmt-check:
	@echo "==> gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	 if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	@echo "==> go vet"
	@$(GO) vet $(BUILDFLAGS) $(PKGS)

## bench: Go benchmarks of the hot paths, in benchstat's format
bench:
	@echo "==> go test -bench"
	@$(GO) test $(BUILDFLAGS) -run='^$$' -bench=. -benchmem -count=5 $(PKGS)

## proto: regenerate internal/workerpb and internal/controlpb. Needs protoc (Debian: apt-get install
## -y protobuf-compiler); the Go plugins are the versions pinned in go.mod.
proto:
	@echo "==> protoc"
	@mkdir -p bin
	@$(GO) build -o bin/protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go
	@$(GO) build -o bin/protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc
	@for p in worker control; do \
		protoc -I proto \
		--plugin=protoc-gen-go=bin/protoc-gen-go --go_out=internal/$${p}pb --go_opt=paths=source_relative \
		--plugin=protoc-gen-go-grpc=bin/protoc-gen-go-grpc --go-grpc_out=internal/$${p}pb --go-grpc_opt=paths=source_relative \
		proto/$$p.proto || exit 1; done

## proto-check: the committed generated code matches proto/
proto-check: proto
	@git diff --exit-code internal/workerpb internal/controlpb

clean:
	@rm -rf bin
