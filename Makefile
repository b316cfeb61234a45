# The Babes Club member dashboard. `make run` and `make test` are the two
# commands a fresh machine needs; everything they install lands in .cache/
# (and web/node_modules).

GO        ?= go
BIN       := bin
ADDR      ?= 127.0.0.1:8080
# Flags of the Go test run; CI and `make test` always use the race detector.
TESTFLAGS ?= -race -count=1 -timeout 30m
# Seconds per fuzz target: a short pass inside `make test`, longer in `make fuzz`.
FUZZ_SHORT ?= 2
FUZZ_LONG  ?= 30

.PHONY: run build web test test-deps test-go test-infra test-web test-e2e fuzz reliability lambdas bench scale lint fmt vet clean

## run: build the web dashboard, then the server (which embeds it), then serve both on the embedded store
## with a demo member
run: web
	@$(MAKE) --no-print-directory build
	$(BIN)/dashboard serve --demo --addr $(ADDR)

## build: build the dashboard binary into bin/, embedding the web dashboard in web/dist (`make web` first;
## without it, the binary's "/" is a page saying how to build the dashboard)
build:
	$(GO) build -trimpath -o $(BIN)/dashboard ./cmd/dashboard

## web: install the web dashboard's npm packages and build it into web/dist
web:
	scripts/web.sh build

## test: install what the tests need, then run every test: the check that the committed contract bytecode
## matches its Solidity source, Go (with -race, against DynamoDB Local,
## stripe-mock and goaws), a short fuzz pass, the CDK synth assertions, the web unit tests, and the
## browser tests (Debian's Chromium driven by playwright-core against `dashboard serve --demo`)
test: test-deps test-go test-infra test-web test-e2e
	scripts/fuzz.sh $(FUZZ_SHORT)

## test-deps: install test dependencies only (Java + DynamoDB Local, stripe-mock, Mailpit, solc-js, npm packages)
test-deps:
	scripts/dynamodb-local.sh install
	scripts/stripe-mock.sh install
	scripts/mailpit.sh install
	scripts/solc-fixtures.sh install
	scripts/web.sh install

# The committed contract bytecode must be what solc makes of its source.
test-go:
	scripts/solc-fixtures.sh check
	scripts/test.sh $(TESTFLAGS)

test-infra:
	cd infra && $(GO) vet ./... && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(GO) test -count=1 ./...

test-web:
	scripts/web.sh test

test-e2e:
	scripts/e2e.sh

## fuzz: run every fuzz target for FUZZ_LONG seconds each
fuzz:
	scripts/fuzz.sh $(FUZZ_LONG)

## reliability: the long forms of the reliability suite (60 s soak, crash cycles)
reliability: test-deps
	PKGS=./reliability/... SOAK_SECONDS=60 CRASH_CYCLES=5 scripts/test.sh -v -count=1 -timeout 20m

## lambdas: build every Lambda function for provided.al2023 arm64 into dist/lambda/<name>.zip
lambdas:
	scripts/lambdas.sh

## bench: measure against this machine's limits (see docs/performance.md); prints one table. BENCHFLAGS passes
## flags to it, e.g. BENCHFLAGS="-duration 2s -rounds 2" for a shorter run (go run ./benchmark -h lists them)
bench: build lambdas test-deps
	$(GO) run ./benchmark -dashboard $(BIN)/dashboard $(BENCHFLAGS)

## scale: seed a club of 50,000 members (500,000 orders, 100,000 NFT holdings) into a DynamoDB Local of its own and
## measure the read routes as the table grows and the jobs' throughput (see docs/scale.md); prints tables and
## writes .cache/scale/last.md. SCALEFLAGS passes flags, e.g. SCALEFLAGS=-quick (go run ./scale -h lists them)
scale: build
	scripts/dynamodb-local.sh install
	$(GO) run ./scale -dashboard $(BIN)/dashboard $(SCALEFLAGS)

## lint: gofmt, go vet and staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN) data dist web/dist
