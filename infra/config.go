package main

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Config is everything about a deployment that is not a secret. It comes
// from CDK context (cdk.json, or `-c key=value` on the command line), so a
// value is visible in the synthesized template and in the repository;
// secrets never go here — they are CloudFormation parameters (see
// secretParams).
type Config struct {
	// TableName is the single DynamoDB table (COMMERCE_TABLE).
	TableName string
	// ImportTable uses an existing table of that name instead of creating
	// one. In production the identity service already owns the table, so
	// this stack must not try to create (or ever delete) it.
	ImportTable bool
	// LambdaDir holds <function>.zip for every function (`make lambdas`),
	// relative to the CDK app's folder (infra/) unless absolute.
	LambdaDir string
	// PlaceholderCode lets the app synthesize without the zips, with a stub
	// bootstrap that fails every invocation: for looking at the template on
	// a fresh clone, never for a deployment.
	PlaceholderCode bool
	// CORSAllowOrigins is the browser allow-list (CORS_ALLOW_ORIGINS).
	CORSAllowOrigins []string
	// StageName is the API Gateway stage.
	StageName string
	// ThrottleRate and ThrottleBurst are the stage's steady requests per
	// second and burst, across all clients.
	ThrottleRate, ThrottleBurst float64
	// LogRetentionDays applies to every function's and the API's log group.
	LogRetentionDays int
	// AlarmEmail, when set, subscribes that address to the alarm topic.
	AlarmEmail string
	// APIGatewayAccountRole creates the region-wide role API Gateway needs
	// to write access logs (AWS::ApiGateway::Account). Turn it off when the
	// account already has one that another stack manages.
	APIGatewayAccountRole bool
	// LatencyP99Millis is the API p99 latency alarm's threshold.
	LatencyP99Millis float64

	// Plain settings of CONTRACT §7, passed to the functions that read them.
	LogLevel        string
	JWTIssuer       string
	JWTAudience     string
	OrderStaleAfter string
	StripeAPIBase   string
	// StripeRateBudget is the Stripe requests per second the whole
	// deployment may send, shared out among the functions that call
	// Stripe (functionSpec.StripeShare): each process gets its part as
	// STRIPE_MAX_RPS. Default 90 of Stripe's 100 live reads a second,
	// leaving room for an operator's CLI; 22 suits test-mode keys (25).
	StripeRateBudget float64
	NFTProvider      string
	NFTAPIBaseURL    string
	NFTChain         string
	NFTCollections   string
	NFTStaleAfter    string

	// SiteOrigin is the web dashboard's origin (SITE_ORIGIN): the domain
	// of wallet challenges and the base of links in mails. Empty means the
	// first of CORSAllowOrigins; it must be one of them, since the
	// dashboard calls the API from there.
	SiteOrigin string
	// MailFrom is the sender of the mails members get (MAIL_FROM), an
	// SES-verified identity such as "The Babes Club
	// <no-reply@thebabesclub.com>". Required: SES sends only from a
	// verified identity, so there is no default to fall back on.
	MailFrom string
	// MailIdentity is the SES identity MailFrom is verified under: its
	// domain (the default) or the address itself. The SES permission is
	// on that identity, for MailFrom's address only.
	MailIdentity string
}

// DefaultConfig is the configuration cdk.json does not override.
func DefaultConfig() Config {
	return Config{
		TableName:             "babesclub-commerce",
		LambdaDir:             "../dist/lambda",
		CORSAllowOrigins:      []string{"http://localhost:5173"},
		StageName:             "prod",
		ThrottleRate:          50,
		ThrottleBurst:         100,
		LogRetentionDays:      30,
		APIGatewayAccountRole: true,
		LatencyP99Millis:      3000,
		LogLevel:              "info",
		OrderStaleAfter:       "12h",
		StripeRateBudget:      90,
		NFTProvider:           "alchemy",
		NFTChain:              "ethereum",
		NFTStaleAfter:         "1h",
	}
}

// contextKeys maps each context key to the field it sets; the keys are what
// docs/operations.md lists.
func (c *Config) contextKeys() map[string]any {
	return map[string]any{
		"tableName":             &c.TableName,
		"importTable":           &c.ImportTable,
		"lambdaDir":             &c.LambdaDir,
		"placeholderCode":       &c.PlaceholderCode,
		"corsAllowOrigins":      &c.CORSAllowOrigins,
		"stageName":             &c.StageName,
		"throttleRate":          &c.ThrottleRate,
		"throttleBurst":         &c.ThrottleBurst,
		"logRetentionDays":      &c.LogRetentionDays,
		"alarmEmail":            &c.AlarmEmail,
		"apiGatewayAccountRole": &c.APIGatewayAccountRole,
		"latencyP99Millis":      &c.LatencyP99Millis,
		"logLevel":              &c.LogLevel,
		"jwtIssuer":             &c.JWTIssuer,
		"jwtAudience":           &c.JWTAudience,
		"orderStaleAfter":       &c.OrderStaleAfter,
		"stripeApiBase":         &c.StripeAPIBase,
		"stripeRateBudget":      &c.StripeRateBudget,
		"nftProvider":           &c.NFTProvider,
		"nftApiBaseUrl":         &c.NFTAPIBaseURL,
		"nftChain":              &c.NFTChain,
		"nftCollections":        &c.NFTCollections,
		"nftStaleAfter":         &c.NFTStaleAfter,
		"siteOrigin":            &c.SiteOrigin,
		"mailFrom":              &c.MailFrom,
		"mailIdentity":          &c.MailIdentity,
	}
}

// renamedContextKeys maps a context key this stack no longer reads to the
// one that replaced it, so that a deploy script still passing the old key
// fails instead of silently deploying the default.
var renamedContextKeys = map[string]string{
	// stripeMaxRps was each function's rate; stripeRateBudget is the whole
	// deployment's, split into per-function shares (docs/operations.md).
	"stripeMaxRps": "stripeRateBudget",
}

// ConfigFromContext reads the context of node over the defaults. Values
// from the command line arrive as strings, those from cdk.json as JSON
// values; both are accepted. A renamed key is refused with its new name.
func ConfigFromContext(node constructs.Node) (Config, error) {
	for old, now := range renamedContextKeys {
		if node.TryGetContext(jsii.String(old)) != nil {
			return Config{}, fmt.Errorf("context %s is no longer read: use %s (see docs/operations.md)", old, now)
		}
	}
	c := DefaultConfig()
	for key, dst := range c.contextKeys() {
		v := node.TryGetContext(jsii.String(key))
		if v == nil {
			continue
		}
		if err := setField(dst, v); err != nil {
			return Config{}, fmt.Errorf("context %s: %w", key, err)
		}
	}
	return c, c.Validate()
}

// Validate refuses configurations that would synthesize a broken stack.
func (c Config) Validate() error {
	switch {
	case c.TableName == "":
		return fmt.Errorf("tableName is empty")
	case len(c.CORSAllowOrigins) == 0:
		return fmt.Errorf("corsAllowOrigins is empty: name at least one origin")
	case c.StageName == "":
		return fmt.Errorf("stageName is empty")
	case c.ThrottleRate <= 0 || c.ThrottleBurst <= 0:
		return fmt.Errorf("throttleRate and throttleBurst must be positive")
	case c.LatencyP99Millis <= 0:
		return fmt.Errorf("latencyP99Millis must be positive")
	case !(c.StripeRateBudget > 0):
		return fmt.Errorf("stripeRateBudget must be a positive number of requests per second (Stripe allows 100 live, 25 in test mode)")
	}
	for _, o := range c.CORSAllowOrigins {
		if o == "*" || !(strings.HasPrefix(o, "https://") || strings.HasPrefix(o, "http://")) || strings.Count(o, "/") != 2 {
			return fmt.Errorf("corsAllowOrigins: %q is not an origin such as https://dashboard.example.com", o)
		}
		if strings.ContainsAny(o, "'\",") {
			return fmt.Errorf("corsAllowOrigins: %q contains a quote or comma", o)
		}
	}
	if _, err := retention(c.LogRetentionDays); err != nil {
		return err
	}
	if o := c.siteOrigin(); !slices.Contains(c.CORSAllowOrigins, o) {
		return fmt.Errorf("siteOrigin %q is not one of corsAllowOrigins %v: the dashboard calls the API from its origin", o, c.CORSAllowOrigins)
	}
	if _, _, err := c.mailSender(); err != nil {
		return err
	}
	return nil
}

// siteOrigin is SiteOrigin, defaulting to the first allowed origin.
func (c Config) siteOrigin() string {
	if c.SiteOrigin != "" {
		return c.SiteOrigin
	}
	if len(c.CORSAllowOrigins) > 0 {
		return c.CORSAllowOrigins[0]
	}
	return ""
}

// mailSender returns MailFrom's bare address and the SES identity it is
// sent under (MailIdentity, defaulting to the address's domain).
func (c Config) mailSender() (address, identity string, err error) {
	if strings.TrimSpace(c.MailFrom) == "" {
		return "", "", fmt.Errorf("mailFrom is empty: name the SES-verified sender of member mails, e.g. -c mailFrom='The Babes Club <no-reply@example.com>'")
	}
	a, err := mail.ParseAddress(c.MailFrom)
	if err != nil || strings.ContainsAny(a.Address, "'\"*?,") {
		return "", "", fmt.Errorf("mailFrom %q is not an email address", c.MailFrom)
	}
	address = strings.ToLower(a.Address)
	domain := address[strings.LastIndexByte(address, '@')+1:]
	switch identity = strings.ToLower(strings.TrimSpace(c.MailIdentity)); identity {
	case "":
		identity = domain
	case domain, address:
	default:
		return "", "", fmt.Errorf("mailIdentity %q is neither mailFrom's address nor its domain %q", c.MailIdentity, domain)
	}
	return address, identity, nil
}

func setField(dst any, v any) error {
	s, isString := v.(string)
	switch d := dst.(type) {
	case *string:
		if !isString {
			return fmt.Errorf("want a string, got %v", v)
		}
		*d = s
	case *bool:
		switch {
		case isString:
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", s)
			}
			*d = b
		default:
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("want true or false, got %v", v)
			}
			*d = b
		}
	case *float64, *int:
		var f float64
		switch n := v.(type) {
		case string:
			var err error
			if f, err = strconv.ParseFloat(n, 64); err != nil {
				return fmt.Errorf("want a number, got %q", n)
			}
		case float64:
			f = n
		default:
			return fmt.Errorf("want a number, got %v", v)
		}
		if p, ok := d.(*int); ok {
			if f != float64(int(f)) {
				return fmt.Errorf("want a whole number, got %v", f)
			}
			*p = int(f)
		} else {
			*d.(*float64) = f
		}
	case *[]string:
		var list []string
		switch l := v.(type) {
		case string:
			for _, item := range strings.Split(l, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
		case []any:
			for _, item := range l {
				s, ok := item.(string)
				if !ok {
					return fmt.Errorf("want a list of strings, got %v", v)
				}
				list = append(list, s)
			}
		default:
			return fmt.Errorf("want a comma-separated string or a list, got %v", v)
		}
		*d = list
	default:
		return fmt.Errorf("unsupported field type %T", dst)
	}
	return nil
}
