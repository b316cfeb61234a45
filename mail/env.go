package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/awsenv"
)

// FromEnv picks the transport from the environment (CONTRACT §7, §9),
// read through getenv:
//
//   - MAIL_TRANSPORT=ses: Amazon SES v2, from MAIL_FROM (required: SES sends
//     only from a verified identity). SES_ENDPOINT, when set, points the
//     client at a local SES-compatible endpoint; AWS region and credentials
//     come from the usual AWS variables (package awsenv).
//   - MAIL_TRANSPORT=smtp, or unset with SMTP_URL set: SMTP to SMTP_URL.
//   - MAIL_TRANSPORT=outbox, or unset without SMTP_URL: .eml files in
//     dataDir/outbox; with no dataDir, mail is not configured and that is
//     an error rather than mail silently going nowhere.
//
// MAIL_FROM defaults to DefaultFrom for SMTP and the outbox. Any other
// MAIL_TRANSPORT is an error.
func FromEnv(getenv func(string) string, dataDir string, logger *slog.Logger) (dashboard.Mailer, error) {
	if getenv == nil {
		return nil, errors.New("mail: no environment to read")
	}
	transport := strings.ToLower(strings.TrimSpace(getenv("MAIL_TRANSPORT")))
	smtpURL := strings.TrimSpace(getenv("SMTP_URL"))
	from := strings.TrimSpace(getenv("MAIL_FROM"))
	if transport == "" {
		transport = "outbox"
		if smtpURL != "" {
			transport = "smtp"
		}
	}
	if from == "" && transport != "ses" {
		from = DefaultFrom
	}
	switch transport {
	case "ses":
		if from == "" {
			return nil, errors.New("mail: MAIL_TRANSPORT=ses needs MAIL_FROM (an SES-verified identity)")
		}
		return sesFromEnv(getenv, from, logger)
	case "smtp":
		if smtpURL == "" {
			return nil, errors.New("mail: MAIL_TRANSPORT=smtp needs SMTP_URL")
		}
		return NewSMTP(smtpURL, from, logger)
	case "outbox":
		if dataDir == "" {
			return nil, errors.New("mail: not configured: set MAIL_TRANSPORT=ses, SMTP_URL, or a data folder for the outbox")
		}
		return NewOutbox(OutboxDir(dataDir), from, logger)
	default:
		return nil, fmt.Errorf("mail: unknown MAIL_TRANSPORT %q (want ses, smtp or outbox)", transport)
	}
}

// sesFromEnv builds the SES client from the shared AWS configuration.
func sesFromEnv(getenv func(string) string, from string, logger *slog.Logger) (*SES, error) {
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	endpoint := strings.TrimSpace(getenv("SES_ENDPOINT"))
	cfg, err := awsenv.Config(context.Background(), endpoint)
	if err != nil {
		return nil, fmt.Errorf("mail: ses: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("mail: ses: no AWS region (set AWS_REGION)")
	}
	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return NewSES(client, from, logger)
}
