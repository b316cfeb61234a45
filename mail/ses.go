package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	dashboard "github.com/thebabesclub/dashboard"
)

// SES sends through Amazon SES v2 (SendEmail) with simple content: the
// subject, text and HTML as UTF-8 fields, from which SES builds the MIME
// message, Date and Message-ID itself. Simple rather than raw content
// because SES would rewrite a raw message's Message-ID anyway, the request
// stays readable JSON, and the checks every transport shares (one
// recipient, no remote content) already ran. It is safe for concurrent use.
type SES struct {
	client *sesv2.Client
	from   *mail.Address
	log    *slog.Logger
}

// NewSES returns the SES transport sending through client from `from`, which
// must be an identity verified in SES, logging to logger (nil:
// slog.Default()).
func NewSES(client *sesv2.Client, from string, logger *slog.Logger) (*SES, error) {
	if client == nil {
		return nil, errors.New("mail: ses: no client")
	}
	f, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	return &SES{client: client, from: f, log: orDefault(logger)}, nil
}

// Send hands m to SES and returns once SES accepted it.
func (s *SES) Send(ctx context.Context, m dashboard.Message) error {
	l, err := check(m)
	if err != nil {
		return err
	}
	utf8 := aws.String("UTF-8")
	_, err = s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(formatAddress(s.from)),
		Destination:      &types.Destination{ToAddresses: []string{formatAddress(l.to)}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(m.Subject), Charset: utf8},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(m.Text), Charset: utf8},
				Html: &types.Content{Data: aws.String(m.HTML), Charset: utf8},
			},
		}},
	})
	if err != nil {
		// SES names unverified recipients in its messages (sandbox).
		return fmt.Errorf("mail: ses: %w", redact(err, l.to.Address))
	}
	logSent(s.log, "ses", l.kind)
	return nil
}
