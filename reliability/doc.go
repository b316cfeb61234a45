// Package reliability holds the dashboard's reliability suite: tests that
// run the real `dashboard serve` binary as a subprocess, on its embedded
// store and against in-process Stripe and marketplace fakes, and push it the
// way production will — a write storm cut short by kill -9 (crash safety), a
// fixed-rate mix of member traffic (soak), upstream failures during syncs,
// webhooks and reads (upstream faults) — plus fuzz targets for the request
// and response parsers the per-package fuzzers do not reach.
//
// The package has no code of its own beyond this comment: everything lives
// in its tests, so that nothing here can end up in a production binary.
//
// The default run (`go test ./reliability`, part of `make test`) is short;
// SOAK_SECONDS, SOAK_RPS and CRASH_CYCLES lengthen it (`make reliability`
// sets SOAK_SECONDS=60). Every test logs one summary line of numbers.
package reliability
