# The Babes Club member dashboard. `make run` and `make test` are the two
# commands a fresh machine needs; everything they install lands in .cache/.

GO        ?= go
BIN       := bin
ADDR      ?= 127.0.0.1:8080
# GOFLAGS for test runs; CI and `make test` always use the race detector.
TESTFLAGS ?= -race -count=1

.PHONY: run build test test-deps lint fmt vet clean

## run: build and serve the API (and the web dashboard once built) on the embedded store with a demo member
run: build
	$(BIN)/dashboard serve --demo --addr $(ADDR)

## build: build the dashboard binary into bin/
build:
	$(GO) build -trimpath -o $(BIN)/dashboard ./cmd/dashboard

## test: install what the tests need (Java, DynamoDB Local, stripe-mock) into .cache/ and run every test
test: test-deps
	scripts/test.sh $(TESTFLAGS)

## test-deps: install test dependencies only (Java + DynamoDB Local, stripe-mock)
test-deps:
	scripts/dynamodb-local.sh install
	scripts/stripe-mock.sh install

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
	rm -rf $(BIN) data
