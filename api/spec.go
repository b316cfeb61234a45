// Package api holds the HTTP contract of the dashboard: openapi.yaml, the
// OpenAPI 3.0 description every response is validated against in tests and
// the React client's TypeScript types are generated from. The document is
// embedded so the server can serve it (at /openapi.yaml) and tests can load
// it without touching the file system.
package api

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var spec []byte

// Spec returns the OpenAPI document as YAML. The slice is a copy: callers
// may keep or modify it.
func Spec() []byte {
	return bytes.Clone(spec)
}

// Load parses the OpenAPI document, resolves its references and validates
// it. Every call returns a new *openapi3.T, so callers may modify theirs
// (for example its servers) without affecting anyone else.
func Load(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(Spec())
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("api: openapi.yaml is invalid: %w", err)
	}
	return doc, nil
}
