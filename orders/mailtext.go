package orders

import (
	"bytes"
	"html/template"

	dashboard "github.com/thebabesclub/dashboard"
)

// The fulfilment notices (CONTRACT §11). Plain text plus the same words as
// HTML, with no images, no tracking and no links but the carrier's tracking
// page and the dashboard.

var fulfillmentHTML = template.Must(template.New("fulfilment").Parse(`<!doctype html>
<html><body style="font-family: sans-serif; color: #222">
<p>Hi,</p>
<p>{{.Headline}}</p>
{{if .Carrier}}<p>Carrier: {{.Carrier}}{{if .Tracking}}, tracking number {{.Tracking}}{{end}}</p>{{end}}
{{if .TrackingURL}}<p><a href="{{.TrackingURL}}">Track your parcel</a></p>{{end}}
{{if .Site}}<p>Your orders: <a href="{{.Site}}">{{.Site}}</a></p>{{end}}
<p>You get these emails because order notifications are on in your dashboard settings.</p>
<p>The Babes Club</p>
</body></html>
`))

// fulfillmentMessage is the notice of o's latest step, shipped or delivered.
func fulfillmentMessage(to string, o *dashboard.OrderSnapshot, site string) dashboard.Message {
	f := o.Fulfillment
	subject, headline := "Your Babes Club order "+o.OrderNumber+" has shipped", "Your order "+o.OrderNumber+" is on its way."
	kind := "order-shipped"
	if f.Status == dashboard.FulfillmentDelivered {
		subject, headline, kind = "Your Babes Club order "+o.OrderNumber+" was delivered", "Your order "+o.OrderNumber+" was delivered.", "order-delivered"
	}
	data := map[string]string{"Headline": headline, "Site": site}
	text := "Hi,\n\n" + headline + "\n"
	if f.Carrier != nil {
		data["Carrier"] = *f.Carrier
		text += "\nCarrier: " + *f.Carrier
		if f.TrackingNumber != nil {
			data["Tracking"] = *f.TrackingNumber
			text += ", tracking number " + *f.TrackingNumber
		}
		text += "\n"
	}
	if f.TrackingURL != nil {
		data["TrackingURL"] = *f.TrackingURL
		text += "\nTrack your parcel: " + *f.TrackingURL + "\n"
	}
	if site != "" {
		text += "\nYour orders: " + site + "\n"
	}
	text += "\nYou get these emails because order notifications are on in your dashboard settings.\n\nThe Babes Club\n"
	var b bytes.Buffer
	if err := fulfillmentHTML.Execute(&b, data); err != nil {
		// The template and its data are ours; this cannot fail at run time.
		panic(err)
	}
	return dashboard.Message{To: to, Subject: subject, Kind: kind, Text: text, HTML: b.String()}
}
