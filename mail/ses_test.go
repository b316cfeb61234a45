package mail_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	mailer "github.com/thebabesclub/dashboard/mail"

	"github.com/thebabesclub/dashboard/internal/logtest"
)

// sesRequest is the JSON body of SES v2's SendEmail
// (POST /v2/email/outbound-emails) as far as the dashboard fills it.
type sesRequest struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses, CcAddresses, BccAddresses []string }
	Content          struct {
		Simple struct {
			Subject sesContent
			Body    struct{ Text, Html sesContent }
		}
		Raw *json.RawMessage
	}
}

type sesContent struct{ Data, Charset string }

// fakeSES is SES v2 at the outside edge: it records each SendEmail and
// answers as SES does, with a MessageId, or with reject's error.
type fakeSES struct {
	mu       sync.Mutex
	requests []sesRequest
	paths    []string
	auth     []string
	reject   string // a message for a 400 MessageRejected, when set
}

func (f *fakeSES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req sesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	reject := f.reject
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if reject != "" {
		w.Header().Set("X-Amzn-ErrorType", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": reject})
		return
	}
	_, _ = io.WriteString(w, `{"MessageId":"0100018c-5f1e-4a3c-8f2b-000000000000-000000"}`)
}

func (f *fakeSES) seen() []sesRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sesRequest(nil), f.requests...)
}

// sesClient is an SES v2 client for the fake, with static credentials so
// requests are signed as on AWS.
func sesClient(url string) *sesv2.Client {
	return sesv2.New(sesv2.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
}

func TestSESSendsSimpleContentFromEnv(t *testing.T) {
	// FromEnv reads the AWS variables through awsenv: pin them (no
	// t.Parallel with t.Setenv).
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	fake := &fakeSES{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := map[string]string{"MAIL_TRANSPORT": "ses", "MAIL_FROM": testFrom, "SES_ENDPOINT": srv.URL}
	m, err := mailer.FromEnv(func(k string) string { return env[k] }, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.(*mailer.SES); !ok {
		t.Fatalf("FromEnv = %T, want *mail.SES", m)
	}
	if err := m.Send(t.Context(), sample("member@babesclub.test")); err != nil {
		t.Fatal(err)
	}

	reqs := fake.seen()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	if fake.paths[0] != "POST /v2/email/outbound-emails" {
		t.Errorf("request %s", fake.paths[0])
	}
	if !strings.HasPrefix(fake.auth[0], "AWS4-HMAC-SHA256 ") || !strings.Contains(fake.auth[0], "/us-east-1/ses/aws4_request") {
		t.Errorf("Authorization %q, want a SigV4 signature for ses in us-east-1", fake.auth[0])
	}
	r := reqs[0]
	if r.FromEmailAddress != "=?utf-8?q?Babes_Club_T=C3=ABam?= <no-reply@babesclub.test>" {
		t.Errorf("FromEmailAddress %q", r.FromEmailAddress)
	}
	if len(r.Destination.ToAddresses) != 1 || r.Destination.ToAddresses[0] != "member@babesclub.test" ||
		len(r.Destination.CcAddresses)+len(r.Destination.BccAddresses) != 0 {
		t.Errorf("Destination %+v", r.Destination)
	}
	s := r.Content.Simple
	if s.Subject != (sesContent{sampleSubject, "UTF-8"}) {
		t.Errorf("Subject %+v", s.Subject)
	}
	if s.Body.Text != (sesContent{sampleText, "UTF-8"}) {
		t.Errorf("Text %+v", s.Body.Text)
	}
	if s.Body.Html != (sesContent{sampleHTML, "UTF-8"}) {
		t.Errorf("Html %+v", s.Body.Html)
	}
	if r.Content.Raw != nil {
		t.Errorf("raw content sent too")
	}
}

func TestSESRejectionNeverNamesRecipient(t *testing.T) {
	t.Parallel()
	const to = "member.secret@babesclub.test"
	fake := &fakeSES{reject: "Email address is not verified. The following identities failed the check in region EU-WEST-1: " + strings.ToUpper(to)}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	log, logs := logtest.NewLogger()
	s, err := mailer.NewSES(sesClient(srv.URL), testFrom, log)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(t.Context(), sample(to))
	var rejected *types.MessageRejected
	if !errors.As(err, &rejected) {
		t.Fatalf("Send = %v, want *types.MessageRejected", err)
	}
	if strings.Contains(strings.ToLower(err.Error()), "member.secret") {
		t.Errorf("error names the recipient: %v", err)
	}
	if !strings.Contains(err.Error(), "not verified") {
		t.Errorf("error lost SES's reason: %v", err)
	}
	if strings.Contains(logs.String(), "mail sent") {
		t.Errorf("a rejected message was logged as sent: %s", logs)
	}
}

func TestSESRefusesInvalidMessages(t *testing.T) {
	t.Parallel()
	fake := &fakeSES{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	s, err := mailer.NewSES(sesClient(srv.URL), testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range invalidMessages {
		if err := s.Send(t.Context(), change(sample("member@babesclub.test"))); !errors.Is(err, mailer.ErrInvalidMessage) {
			t.Errorf("%s: Send = %v, want ErrInvalidMessage", name, err)
		}
	}
	if n := len(fake.seen()); n != 0 {
		t.Errorf("%d invalid messages reached SES", n)
	}
	if err := s.Send(t.Context(), sample("member@babesclub.test")); err != nil || len(fake.seen()) != 1 {
		t.Errorf("a valid message: %v, %d requests", err, len(fake.seen()))
	}
}
