package mail_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/internal/mailpittest"
)

func TestMain(m *testing.M) { mailpittest.Main(m) }

// The sample message exercises what the encoders must get right: a
// non-ASCII subject long enough to need several encoded words, non-ASCII
// bodies, a line longer than quoted-printable allows (a soft break), an "="
// (encoded as =3D), and a line holding only "." (SMTP dot-stuffing).
const (
	sampleSubject = "Bestätige deine neue E-Mail-Adresse ✨ — dein Code für The Babes Club ist da"
	sampleCode    = "482913"
	sampleText    = "Hallo Süße!\n\nDein Code lautet " + sampleCode + ". Er gilt 15 Minuten.\n.\n" +
		"Eine sehr lange Zeile, die deutlich länger ist als sechsundsiebzig Zeichen, damit quoted-printable sie umbrechen muss: a=b.\n"
	sampleHTML = `<!doctype html><html><body><p>Hallo Süße!</p><p>Dein Code lautet <strong>` + sampleCode +
		`</strong>. Er gilt 15 Minuten.</p><p><a href="https://babesclub.test/dashboard">Zum Dashboard</a></p></body></html>`
)

func sample(to string) dashboard.Message {
	return dashboard.Message{To: to, Subject: sampleSubject, Text: sampleText, HTML: sampleHTML, Kind: "email-change-code"}
}

// crlf normalises line breaks for comparing decoded bodies, which travel
// as CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// selfSigned writes a certificate and key for host into dir and returns
// their paths and the certificate, for a Mailpit that offers STARTTLS.
func selfSigned(t *testing.T, dir, host string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}
