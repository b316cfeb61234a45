// Package apitest checks HTTP responses against the API's OpenAPI document
// (api/openapi.yaml), so that every HTTP test also proves the server keeps
// its contract.
//
// Use a Client to send requests to a handler: it validates every response
// and reports violations with t.Errorf, so a test cannot forget to.
//
//	v := apitest.NewValidator(t)
//	c := v.Client(t, srv.Handler())
//	c.Header.Set("Authorization", "Bearer "+token)
//	resp, body := c.Do(httptest.NewRequest("GET", "/dashboard/profile", nil))
//
// The rules, on top of the document itself:
//   - Every response carries a non-empty X-Request-Id.
//   - OPTIONS requests (CORS preflights) are not operations of the
//     document; only the X-Request-Id rule applies to them.
//   - A request no operation matches (unknown path, or a method the path does
//     not list) must be answered 404 or 405 with an Error body; a 405 must
//     carry Allow.
//   - A matched operation must answer with a status it lists explicitly (or
//     its NXX range): the `default` response exists for generated clients
//     and does not make an undocumented status acceptable.
//   - HEAD is checked as the GET of the same path, headers and status only.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/thebabesclub/dashboard/api"
)

// Validator validates responses against the OpenAPI document. It is safe
// for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// loaded is the document and router, built once per process.
var loaded = sync.OnceValues(func() (*Validator, error) {
	ctx := context.Background()
	doc, err := api.Load(ctx)
	if err != nil {
		return nil, err
	}
	// Match plain paths (/dashboard/profile) on any host: tests send
	// requests to a handler, not to one of the document's servers.
	doc.Servers = openapi3.Servers{{URL: "/"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apitest: build router: %w", err)
	}
	if s := doc.Components.Schemas["Error"]; s == nil || s.Value == nil {
		return nil, errors.New("apitest: openapi.yaml has no Error schema")
	}
	return &Validator{doc: doc, router: router}, nil
})

// NewValidator returns the validator of the API's OpenAPI document. The
// document is loaded and checked once per process; a broken document fails
// t at once.
func NewValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := loaded()
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	return v
}

// Check validates resp (whose body was read into body) as the answer to
// req, and reports every violation with t.Errorf.
func (v *Validator) Check(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if err := v.Validate(req, resp, body); err != nil {
		t.Errorf("apitest: %s %s answered %d, which breaks openapi.yaml:\n%v\nbody: %s",
			req.Method, req.URL.RequestURI(), resp.StatusCode, err, excerpt(body))
	}
}

// Validate reports how resp (whose body was read into body), as the answer
// to req, breaks the OpenAPI document and the rules of the package comment;
// nil when it does not.
func (v *Validator) Validate(req *http.Request, resp *http.Response, body []byte) error {
	var errs []error
	// The document declares X-Request-Id (required) on every response, so
	// ValidateResponse checks it for documented answers; the others are
	// checked here.
	requestID := func() {
		if resp.Header.Get("X-Request-Id") == "" {
			errs = append(errs, errors.New(`response header "X-Request-Id" missing`))
		}
	}
	if req.Method == http.MethodOptions {
		requestID()
		return errors.Join(errs...)
	}
	lookup := req
	if req.Method == http.MethodHead {
		lookup = req.Clone(req.Context())
		lookup.Method = http.MethodGet
	}
	route, params, err := v.router.FindRoute(lookup)
	if err != nil {
		requestID()
		errs = append(errs, v.validateUnmatched(err, resp, body))
		return errors.Join(errs...)
	}
	if route.Operation.Responses.Status(resp.StatusCode) == nil {
		requestID()
		errs = append(errs, fmt.Errorf("status %d is not documented for %s %s", resp.StatusCode, lookup.Method, route.Path))
		return errors.Join(errs...)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		ExcludeResponseBody:   req.Method == http.MethodHead,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	opts.WithCustomSchemaErrorFunc(schemaMessage)
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    lookup,
			PathParams: params,
			Route:      route,
			Options:    opts,
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: opts,
	}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(lookup.Context(), input)
}

// validateUnmatched checks the answer to a request no operation matches: a
// 404 or 405 in the Error shape (405 with Allow).
func (v *Validator) validateUnmatched(routeErr error, resp *http.Response, body []byte) error {
	var errs []error
	switch resp.StatusCode {
	case http.StatusNotFound:
	case http.StatusMethodNotAllowed:
		if resp.Header.Get("Allow") == "" {
			errs = append(errs, errors.New(`405 response without an "Allow" header`))
		}
	default:
		return fmt.Errorf("no operation matches the request (%v), so the status must be 404 or 405, not %d", routeErr, resp.StatusCode)
	}
	if err := v.validateError(resp.Header, body); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// validateError checks that body is a JSON Error.
func (v *Validator) validateError(h http.Header, body []byte) error {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fmt.Errorf("error response has Content-Type %q, want application/json", h.Get("Content-Type"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil {
		return fmt.Errorf("error response body is not JSON: %w", err)
	}
	if dec.More() {
		return errors.New("error response body has data after the JSON value")
	}
	schema := v.doc.Components.Schemas["Error"].Value
	if err := schema.VisitJSON(value, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.SetSchemaErrorMessageCustomizer(schemaMessage)); err != nil {
		return fmt.Errorf("error response body doesn't match schema #/components/schemas/Error: %w", err)
	}
	return nil
}

// Client sends requests to a handler in process and checks every response
// with its Validator.
type Client struct {
	t testing.TB
	v *Validator
	h http.Handler
	// Header is added to every request that does not set the key itself
	// (for example Authorization).
	Header http.Header
}

// Client returns a Client that sends requests to h and reports violations
// of the document to t.
func (v *Validator) Client(t testing.TB, h http.Handler) *Client {
	return &Client{t: t, v: v, h: h, Header: http.Header{}}
}

// Do serves req with the handler and returns the response and its body
// (the response's Body can be read again too). Build req with
// httptest.NewRequest. The response is checked against the document;
// violations are reported with t.Errorf, so the test goes on.
func (c *Client) Do(req *http.Request) (*http.Response, []byte) {
	c.t.Helper()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	for k, vs := range c.Header {
		if _, ok := req.Header[k]; !ok {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("apitest: read response body: %v", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.Request = req
	c.v.Check(c.t, req, resp, body)
	return resp, body
}

// schemaMessage words a schema violation in one line: where, why, and the
// offending value (cut short) rather than kin-openapi's dump of the schema.
func schemaMessage(err *openapi3.SchemaError) string {
	if err.Origin != nil {
		return "" // kin-openapi's own message names the cause
	}
	reason := err.Reason
	if reason == "" {
		reason = fmt.Sprintf("doesn't match %q", err.SchemaField)
	}
	value, _ := json.Marshal(err.Value)
	if len(value) > 200 {
		value = append(value[:200:200], "…"...)
	}
	return fmt.Sprintf("at %q: %s (value: %s)", "/"+strings.Join(err.JSONPointer(), "/"), reason, value)
}

// excerpt returns body for an error message, cut to a readable length.
func excerpt(body []byte) string {
	const max = 2048
	if len(body) <= max {
		return string(body)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return string(body[:cut]) + "… (" + strconv.Itoa(len(body)) + " bytes)"
}
