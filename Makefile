# supervisor: run tasks on worker processes or goroutines, and measure both.
# Every target prints what it does; nothing here needs to be installed by hand
# except for `make proto` (see its comment).

GO        ?= go
BIN       := bin/supervisor
# The worker processes' program, built beside the supervisor, which finds it
# there (without it, the supervisor re-executes itself as its workers).
WORKER    := bin/supervisor-worker
PKGS      := ./...
# Static, without gRPC's tracing: a worker starts faster (docs/benchmarks.md).
# -buildvcs=auto: `supervisor version` names the commit even where GOFLAGS
# turns stamping off, and a tree outside git still builds.
BUILDFLAGS := -tags grpcnotrace -buildvcs=auto
export CGO_ENABLED := 0

.PHONY: all build run deps deps-cluster test test-cluster soak lint vet fmt-check bench benchstat proto proto-check clean

all: lint test build

## build: the supervisor binary and its worker binary in bin/
build:
	@echo "==> build $(BIN) $(WORKER)"
	@$(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/supervisor
	@$(GO) build $(BUILDFLAGS) -o $(WORKER) ./cmd/supervisor-worker

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

## test: formatting and vet checks, then every test with the race detector; as root,
## that includes one round of the cluster chaos test (see test-cluster)
test: deps lint
	@echo "==> go test -race$(if $(STRESS), (stress suite for $(STRESS)))"
	@CGO_ENABLED=1 SUPERVISOR_STRESS=$(STRESS) $(GO) test -race -timeout=20m $$($(GO) list $(PKGS) | grep -v /cluster/chaostest)
	@if [ "$$(id -u)" = 0 ]; then echo "==> as root: one round of the cluster chaos test (about a minute; never cached: it runs the binary it builds)"; \
	else echo "==> not root: the cluster chaos test is skipped (make test-cluster as root runs it)"; fi
	@$(GO) test -count=1 -timeout=10m ./cluster/chaostest/

## deps-cluster: what the cluster chaos test needs beyond Go: ip (iproute2) and nft
## (nftables), installed from Debian when we are root and they are missing
deps-cluster:
	@if command -v nft >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "==> apt-get install iproute2 nftables (for the cluster chaos test)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends iproute2 nftables; } >/dev/null 2>&1 || \
		echo "    could not install them: the cluster chaos test will be skipped"; fi

## test-cluster: three hosts in network namespaces, each an agent and a NATS member,
## 600 tasks while a partition, a one-way partition, a host killed and a host frozen
## come and go. Root only. ROUNDS=N repeats it; every round's logs are kept.
test-cluster: deps deps-cluster
	@echo "==> cluster chaos test, $${ROUNDS:-1} round(s)"
	@ROUNDS=$${ROUNDS:-1} $(GO) test -count=1 -v -timeout=0 -run='^TestChaos$$' ./cluster/chaostest/

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

# BENCH picks benchmarks (a go test -bench pattern), BENCHCOUNT how many runs of each
# (benchstat wants several), BENCHOUT where the results go. Compare two builds with
# benchstat, pinned here: make bench BENCHOUT=old.txt; (change); make bench BENCHOUT=new.txt;
# $(BENCHSTAT) old.txt new.txt
BENCH      ?= .
BENCHCOUNT ?= 6
BENCHOUT   ?= bench.txt
BENCHSTAT  := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

## bench: Go benchmarks of the hot paths, in benchstat's format, into $(BENCHOUT)
bench:
	@echo "==> go test -bench='$(BENCH)' -count=$(BENCHCOUNT) > $(BENCHOUT)"
	@$(GO) test $(BUILDFLAGS) -run='^$$' -bench='$(BENCH)' -benchmem -count=$(BENCHCOUNT) $(PKGS) | tee $(BENCHOUT)

## benchstat: compare two runs of make bench: make benchstat OLD=old.txt NEW=new.txt
benchstat:
	@$(BENCHSTAT) $(OLD) $(NEW)

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
