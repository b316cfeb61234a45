package dashboard

import (
	"errors"
	"fmt"
	"time"
)

// Application error codes. Each constant's name spells the code it puts on
// the wire (EINVALIDREQUEST is "invalid_request"). The HTTP layer maps each
// code to one status in a single table; anything without a code is an
// internal error whose detail goes to the log and never to the client.
const (
	EINVALIDREQUEST = "invalid_request"      // 400: the request could not be read
	EVALIDATION     = "validation_failed"    // 400: the payload broke a rule (Fields says which)
	EINVALIDCURSOR  = "invalid_cursor"       // 400: a pagination cursor is forged or foreign
	EINVALIDCODE    = "invalid_code"         // 400: a verification code is wrong
	ECODEEXPIRED    = "code_expired"         // 400: a verification code is void (expired, used up, replaced)
	EUNAUTHORIZED   = "unauthorized"         // 401
	ENOTFOUND       = "not_found"            // 404
	ECONFLICT       = "conflict"             // 409: a unique value is taken
	EPRECONDITION   = "precondition_failed"  // 412: If-Match did not match
	ERATELIMITED    = "rate_limited"         // 429
	EINTERNAL       = "internal"             // 500: a bug or an unexpected failure
	EUNAVAILABLE    = "upstream_unavailable" // 503: an upstream or the refresh queue cannot be reached now
)

// Error is an application error: a code the transport maps to a status, a
// message safe to show a client, and, for validation errors, the offending
// fields with a message each.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// RetryAfter, when set on a rate-limited or unavailable error, tells the
	// client when to try again (the HTTP layer sends it as Retry-After).
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("dashboard error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return "" // before e is declared: errors.As moves e to the heap
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of the first *Error in err's
// chain, and a generic message for anything else so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorRetryAfter returns the retry hint of the first *Error in err's chain.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ErrorFields returns the per-field messages of a validation error, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
