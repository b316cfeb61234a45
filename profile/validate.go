package profile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/siwe"
)

// Limits of the profile update rules (CONTRACT §3).
const (
	maxDisplayName  = 80
	maxEmail        = 254
	maxPhone        = 20
	maxAddressField = 200
	maxAvatarURL    = 2048
)

// readOnlyFields are profile fields a member can see but never set.
var readOnlyFields = map[string]bool{
	"userId": true, dashboard.FieldStripeCustomerID: true,
	dashboard.FieldCreatedAt: true, dashboard.FieldUpdatedAt: true,
}

// Update is a validated partial profile update: only the fields present in
// the payload, each with its normalised new value (nil clears it).
type Update struct {
	present         map[string]bool
	email           string
	displayName     string
	phone           *string
	shippingAddress *dashboard.Address
	billingAddress  *dashboard.Address
	preferredWallet *string
	avatarURL       *string
	// settings holds the keys the payload set; settingsCleared means the
	// payload sent null, which restores every default.
	settings        map[string]bool
	settingsCleared bool
}

// Has reports whether the update names field.
func (u *Update) Has(field string) bool { return u.present[field] }

// ParseUpdate validates a profile update payload. Malformed input fails with
// EINVALIDREQUEST; a readable payload that breaks a rule fails with EVALIDATION and
// a message per offending field, all of them at once so a form can show
// every problem in one round trip.
func ParseUpdate(body []byte) (*Update, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Request body is empty; send a JSON object.")
	}
	if !utf8.Valid(body) {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Request body is not valid UTF-8.")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, dashboard.Errorf(dashboard.EINVALIDREQUEST, "Request body must be a JSON object.")
	}
	u := &Update{present: make(map[string]bool, len(raw))}
	bad := map[string]string{}
	for name, value := range raw {
		u.present[name] = true
		if msg := u.parseField(name, value, bad); msg != "" {
			bad[name] = msg
		}
	}
	if len(bad) > 0 {
		names := make([]string, 0, len(bad))
		for n := range bad {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, &dashboard.Error{
			Code:    dashboard.EVALIDATION,
			Message: "Invalid fields: " + strings.Join(names, ", ") + ".",
			Fields:  bad,
		}
	}
	return u, nil
}

// parseField validates one field into u and returns the message for the
// field itself ("" when valid); nested problems go into bad directly.
func (u *Update) parseField(name string, value json.RawMessage, bad map[string]string) string {
	isNull := string(bytes.TrimSpace(value)) == "null"
	switch name {
	case dashboard.FieldDisplayName:
		if isNull {
			return "displayName cannot be cleared."
		}
		s, msg := parseString(value)
		if msg != "" {
			return msg
		}
		s = strings.TrimSpace(s)
		if n := utf8.RuneCountInString(s); n < 1 || n > maxDisplayName {
			return fmt.Sprintf("Must be 1 to %d characters.", maxDisplayName)
		}
		if hasControl(s) {
			return "Must not contain control characters."
		}
		u.displayName = s
	case dashboard.FieldEmail:
		if isNull {
			return "email cannot be cleared."
		}
		s, msg := parseString(value)
		if msg != "" {
			return msg
		}
		s = strings.TrimSpace(s)
		if !validEmail(s) {
			return "Must be a valid email address."
		}
		u.email = s
	case dashboard.FieldPhone:

		if isNull {
			return ""
		}
		s, msg := parseString(value)
		if msg != "" {
			return msg
		}
		s = strings.TrimSpace(s)
		if !validPhone(s) {
			return fmt.Sprintf("Must be up to %d characters of digits, spaces and + - ( ).", maxPhone)
		}
		u.phone = &s
	case dashboard.FieldShippingAddress, dashboard.FieldBillingAddress:
		var addr *dashboard.Address
		if !isNull {
			var msg string
			if addr, msg = parseAddress(name, value, bad); msg != "" {
				return msg
			}
		}
		if name == dashboard.FieldShippingAddress {
			u.shippingAddress = addr
		} else {
			u.billingAddress = addr
		}
	case dashboard.FieldPreferredWallet:
		if isNull {
			return ""
		}
		s, msg := parseString(value)
		if msg != "" {
			return msg
		}
		sum, ok := siwe.ChecksumAddress(strings.TrimSpace(s))
		if !ok {
			return "Must be an Ethereum address: 0x followed by 40 hex digits (with a correct EIP-55 checksum if mixed case)."
		}
		u.preferredWallet = &sum
	case dashboard.FieldAvatarURL:
		if isNull {
			return ""
		}
		s, msg := parseString(value)
		if msg != "" {
			return msg
		}
		if !validAvatarURL(s) {
			return fmt.Sprintf("Must be an https URL of at most %d characters.", maxAvatarURL)
		}
		u.avatarURL = &s
	case dashboard.FieldDashboardSetting:
		if isNull {
			u.settingsCleared = true
			return ""
		}
		return u.parseSettings(value, bad)
	default:
		if readOnlyFields[name] {
			return "This field is read-only."
		}
		return "Unknown field."
	}
	return ""
}

func (u *Update) parseSettings(value json.RawMessage, bad map[string]string) string {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(value, &raw); err != nil || raw == nil {
		return "Must be an object of booleans."
	}
	u.settings = make(map[string]bool, len(raw))
	ok := true
	for k, v := range raw {
		key := dashboard.FieldDashboardSetting + "." + k
		switch k {
		case dashboard.SettingShowOrderHistory, dashboard.SettingShowNftHoldings, dashboard.SettingEmailNotifications:
		default:
			bad[key], ok = "Unknown setting.", false
			continue
		}
		var b bool
		if string(bytes.TrimSpace(v)) == "null" || json.Unmarshal(v, &b) != nil {
			bad[key], ok = "Must be true or false.", false
			continue
		}
		u.settings[k] = b
	}
	if !ok {
		return "Contains invalid settings."
	}
	return ""
}

// parseAddress validates an address object; problems with its keys are
// reported as "<field>.<key>".
func parseAddress(field string, value json.RawMessage, bad map[string]string) (*dashboard.Address, string) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(value, &raw); err != nil || raw == nil {
		return nil, "Must be an address object or null."
	}
	vals := map[string]string{}
	ok := true
	for k, v := range raw {
		key := field + "." + k
		switch k {
		case "name", "line1", "line2", "city", "state", "postalCode", "country":
		default:
			bad[key], ok = "Unknown field.", false
			continue
		}
		if string(bytes.TrimSpace(v)) == "null" {
			continue // an absent optional part
		}
		s, msg := parseString(v)
		if msg != "" {
			bad[key], ok = msg, false
			continue
		}
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > maxAddressField {
			bad[key], ok = fmt.Sprintf("Must be at most %d characters.", maxAddressField), false
			continue
		}
		if hasControl(s) {
			bad[key], ok = "Must not contain control characters.", false
			continue
		}
		vals[k] = s
	}
	for _, k := range []string{"line1", "city", "state", "postalCode", "country"} {
		if _, reported := bad[field+"."+k]; !reported && vals[k] == "" {
			bad[field+"."+k], ok = "Required.", false
		}
	}
	if c := strings.ToUpper(vals["country"]); c != "" {
		if !validCountry(c) {
			bad[field+".country"], ok = "Must be an ISO 3166-1 alpha-2 country code.", false
		}
		vals["country"] = c
	}
	if !ok {
		return nil, "Contains invalid fields."
	}
	return &dashboard.Address{
		Name: vals["name"], Line1: vals["line1"], Line2: vals["line2"], City: vals["city"],
		State: vals["state"], PostalCode: vals["postalCode"], Country: vals["country"],
	}, ""
}

func parseString(value json.RawMessage) (string, string) {
	var s string
	if err := json.Unmarshal(value, &s); err != nil {
		return "", "Must be a string."
	}
	return s, ""
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// validEmail accepts a bare address (no display name, no comments) that
// net/mail parses back to itself, with a dotted domain.
func validEmail(s string) bool {
	if s == "" || len(s) > maxEmail || hasControl(s) || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func validPhone(s string) bool {
	if s == "" || len(s) > maxPhone {
		return false
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits > 0
}

func validAvatarURL(s string) bool {
	if s == "" || len(s) > maxAvatarURL || hasControl(s) || strings.ContainsAny(s, " \\") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Hostname() != ""
}
