package siwe

import (
	"net/netip"
	"strconv"
	"strings"
)

// This file holds the RFC 3986 pieces the EIP-4361 grammar refers to. They
// are written out rather than borrowed from net/url because url.Parse is
// deliberately lenient (it accepts quotes, braces and backslashes in paths),
// and a signed message must mean one thing only.

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isUnreserved is RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isSubDelim is RFC 3986 sub-delims.
func isSubDelim(c byte) bool {
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
		return true
	}
	return false
}

// isReserved is RFC 3986 reserved: gen-delims / sub-delims.
func isReserved(c byte) bool {
	switch c {
	case ':', '/', '?', '#', '[', ']', '@':
		return true
	}
	return isSubDelim(c)
}

// isPchar is RFC 3986 pchar less pct-encoded, which validPctRun handles.
func isPchar(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' }

// isPathChar allows pchar and the segment separator.
func isPathChar(c byte) bool { return isPchar(c) || c == '/' }

// isQueryChar is the alphabet of RFC 3986 query and fragment.
func isQueryChar(c byte) bool { return isPchar(c) || c == '/' || c == '?' }

// isUserinfoChar is the alphabet of RFC 3986 userinfo.
func isUserinfoChar(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' }

// isRegNameChar is the alphabet of RFC 3986 reg-name.
func isRegNameChar(c byte) bool { return isUnreserved(c) || isSubDelim(c) }

// validRun reports whether every byte of s is allowed by ok.
func validRun(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// validPctRun is validRun for the rules that also admit pct-encoded octets:
// a "%" must be followed by two hex digits.
func validPctRun(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case ok(c):
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

// validURI reports whether s is an RFC 3986 URI: scheme ":" hier-part
// [ "?" query ] [ "#" fragment ], an absolute URI as the grammar demands.
func validURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !validScheme(scheme) {
		return false
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		if !validPctRun(rest[i+1:], isQueryChar) {
			return false
		}
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		if !validPctRun(rest[i+1:], isQueryChar) {
			return false
		}
		rest = rest[:i]
	}
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		authority, path := after, ""
		if i := strings.IndexByte(after, '/'); i >= 0 {
			authority, path = after[:i], after[i:]
		}
		if !validURIAuthority(authority) {
			return false
		}
		rest = path // path-abempty
	}
	// path-abempty, path-absolute, path-rootless or path-empty: "//" at the
	// start was taken as an authority above, so these all reduce to pchar
	// segments separated by "/".
	return validPctRun(rest, isPathChar)
}

// validScheme is RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	return validRun(s, func(c byte) bool { return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.' })
}

// validURIAuthority is RFC 3986 authority as it may appear inside a URI:
// [ userinfo "@" ] host [ ":" port ], host possibly empty (as in file:///).
func validURIAuthority(s string) bool {
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		if !validPctRun(s[:i], isUserinfoChar) {
			return false
		}
		s = s[i+1:]
	}
	host, port, hasPort, ok := splitHostPort(s)
	if !ok || hasPort && !validRun(port, isDigit) {
		return false
	}
	if strings.HasPrefix(host, "[") {
		return validIPLiteral(host)
	}
	return validPctRun(host, isRegNameChar)
}

// validDomain checks the domain term. EIP-4361 allows any RFC 3986
// authority; this service accepts the useful and unambiguous part of it:
// a DNS host name, an IPv4 address or a bracketed IPv6 address, with an
// optional port from 1 to 65535. Userinfo is refused because
// "service.org@evil.example" reads as the wrong site to a hurried member.
func validDomain(s string) bool {
	host, port, hasPort, ok := splitHostPort(s)
	if !ok || hasPort && !validPort(port) {
		return false
	}
	if strings.HasPrefix(host, "[") {
		return validIPLiteral(host)
	}
	return validHostname(host)
}

// splitHostPort splits host [ ":" port ], where host may be an IP literal in
// brackets. ok is false when a bracket is left open or text follows it.
func splitHostPort(s string) (host, port string, hasPort, ok bool) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", false, false
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, "", false, true
		}
		if rest[0] != ':' {
			return "", "", false, false
		}
		return host, rest[1:], true, true
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:], true, true
	}
	return s, "", false, true
}

// validIPLiteral accepts "[" IPv6address "]". IPvFuture and zone
// identifiers are refused: no wallet or browser produces them for a site.
func validIPLiteral(s string) bool {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	inner := s[1 : len(s)-1]
	if !validRun(inner, func(c byte) bool { return isHex(c) || c == ':' || c == '.' }) {
		return false
	}
	addr, err := netip.ParseAddr(inner)
	return err == nil && addr.Is6() && addr.Zone() == ""
}

// validHostname accepts dot-separated labels of letters, digits and inner
// hyphens, each 1 to 63 bytes, 253 bytes in all (RFC 1123), which covers
// dotted IPv4 addresses too.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if !validRun(label, func(c byte) bool { return isAlpha(c) || isDigit(c) || c == '-' }) {
			return false
		}
	}
	return true
}

// validPort accepts a decimal port from 1 to 65535 without leading zeros.
func validPort(s string) bool {
	if s == "" || len(s) > 5 || s[0] == '0' || !validRun(s, isDigit) {
		return false
	}
	n, err := strconv.Atoi(s)
	return err == nil && n <= 65535
}

// ValidDomain reports whether s is a domain this package issues and
// accepts as a message's domain term (see validDomain): a DNS host name,
// an IPv4 address or a bracketed IPv6 address, with an optional port. The
// site's configured origin is checked with it at start-up, so a challenge
// can never be issued that Verify would refuse to parse.
func ValidDomain(s string) bool { return validDomain(s) }
