package profile

import (
	"bytes"
	"html/template"
	"strings"

	dashboard "github.com/thebabesclub/dashboard"
)

// The mails of an email change. Plain text plus the same words as HTML,
// with no images, no tracking and no links other than the dashboard's own.

var codeHTML = template.Must(template.New("code").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; color: #222">
<p>Hi,</p>
<p>Use this code to confirm <strong>{{.Email}}</strong> as {{.What}}:</p>
<p style="font-size: 28px; letter-spacing: 6px; font-weight: bold">{{.Code}}</p>
<p>The code works for 15 minutes. If you did not ask for this, ignore this email: nothing changes.</p>
{{if .Site}}<p><a href="{{.Site}}">{{.Site}}</a></p>{{end}}
<p>The Babes Club</p>
</body></html>
`))

var noticeHTML = template.Must(template.New("notice").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; color: #222">
<p>Hi,</p>
<p>Someone asked to change the email address of your Babes Club account to <strong>{{.Masked}}</strong>.
The change happens only when the code sent to that address is entered.</p>
<p>If this was not you, sign in and change your password, and keep this address on your account.</p>
{{if .Site}}<p><a href="{{.Site}}">{{.Site}}</a></p>{{end}}
<p>The Babes Club</p>
</body></html>
`))

// What a code confirms, as its mail says it, and the mail's kind (logged).
const (
	whatLoginEmail    = "the email address of your Babes Club account"
	whatCheckoutEmail = "an address you used at checkout, so that the orders placed with it show in your Babes Club dashboard"
	kindEmailChange   = "email-change-code"
	kindCheckoutEmail = "checkout-email-code"
)

// codeMessage is the mail that carries a verification code to email; what
// says what the code confirms.
func codeMessage(email, code, site, what, kind string) dashboard.Message {
	text := "Hi,\n\nUse this code to confirm " + email + " as " + what + ":\n\n    " +
		code + "\n\nThe code works for 15 minutes. If you did not ask for this, ignore this email: nothing changes.\n"
	if site != "" {
		text += "\n" + site + "\n"
	}
	text += "\nThe Babes Club\n"
	return dashboard.Message{
		To: email, Subject: "Your Babes Club verification code: " + code, Kind: kind,
		Text: text, HTML: render(codeHTML, map[string]string{"Email": email, "Code": code, "Site": site, "What": what}),
	}
}

// changeNoticeMessage tells the old address that a change was asked for,
// naming the new address only in part.
func changeNoticeMessage(oldEmail, newEmail, site string) dashboard.Message {
	masked := MaskEmail(newEmail)
	text := "Hi,\n\nSomeone asked to change the email address of your Babes Club account to " + masked +
		".\nThe change happens only when the code sent to that address is entered.\n\n" +
		"If this was not you, sign in and change your password, and keep this address on your account.\n"
	if site != "" {
		text += "\n" + site + "\n"
	}
	text += "\nThe Babes Club\n"
	return dashboard.Message{
		To: oldEmail, Subject: "Your Babes Club email address is being changed", Kind: "email-change-notice",
		Text: text, HTML: render(noticeHTML, map[string]string{"Masked": masked, "Site": site}),
	}
}

// MaskEmail shows enough of an address for its owner to recognise it:
// the first character of the local part and the domain.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(email), "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

func render(t *template.Template, data any) string {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "" // the templates are fixed; Execute fails only on a bug, and the text part still goes
	}
	return b.String()
}
