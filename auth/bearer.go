package auth

import "strings"

// BearerToken extracts the token from an Authorization header value. Only
// exactly "Bearer <token>" is accepted (scheme case-insensitive, one space,
// a non-empty token of RFC 7235 token68 characters), because lenient parsing
// of this header is where "Bearer Bearer x" or smuggled whitespace slip in.
// Every other shape is an EUNAUTHORIZED error.
func BearerToken(header string) (string, error) {
	const scheme = "Bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return "", unauthorized()
	}
	token := header[len(scheme):]
	if !isToken68(token) {
		return "", unauthorized()
	}
	return token, nil
}

// isToken68 reports whether s is token68 (RFC 7235 §2.1): one or more of
// ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then optional "=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/':
		default:
			return false
		}
	}
	return true
}
