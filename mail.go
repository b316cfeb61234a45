package dashboard

import "context"

// Message is one mail the dashboard sends: a plain-text body and the same
// text as HTML, never a tracking pixel or a remote image (CONTRACT §9).
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// Kind names the message for logs and metrics (for example
	// "email-change-code"); logs name the kind, never the recipient.
	Kind string
}

// Mailer sends mail. Send returns once the transport has accepted the
// message (SES answered, the SMTP server queued it, or the file is written).
// A failure is an error the caller may retry; it never half-sends.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}
