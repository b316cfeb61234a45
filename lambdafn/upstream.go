package lambdafn

import (
	"context"
	"errors"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/app"
	"github.com/thebabesclub/dashboard/obs"
)

// meter puts the upstream counters between the services and what they
// call: the store (DynamoDB), Stripe and the marketplace. Counting at these
// interfaces needs no change to the adapters and counts what a service
// asked for; one call may be several HTTP requests (pages, retries).
func meter(a *app.App, m *obs.Metrics) {
	s := &meteredStore{next: a.Store, m: m}
	a.Store = s
	a.Profiles.Store = s
	a.Orders.Store = s
	a.NFTs.Store = s
	a.Export.Limits = s
	if a.Orders.Payments != nil {
		a.Orders.Payments = &meteredPayments{next: a.Orders.Payments, m: m}
	}
	if a.NFTs.Market != nil {
		a.NFTs.Market = &meteredMarket{next: a.NFTs.Market, m: m}
	}
}

// upstreamOK reports whether a call's error leaves the upstream healthy: no
// error, or an answer about the data (not found, taken, changed since)
// rather than a failure to answer.
func upstreamOK(err error) bool {
	switch dashboard.ErrorCode(err) {
	case dashboard.EINTERNAL, dashboard.EUNAVAILABLE, dashboard.ERATELIMITED:
		return false
	}
	return true
}

// callbackOK is upstreamOK for calls that take a callback: an error the
// callback returned is the caller's, not the upstream's.
func callbackOK(err, fromCallback error) bool {
	return upstreamOK(err) || (fromCallback != nil && errors.Is(err, fromCallback))
}

// meteredStore counts every store call as a DynamoDB upstream call. It
// spells out every method of dashboard.Store (instead of embedding it) so
// that a method added to the interface fails the build here rather than
// going uncounted; each passes the call through and counts it.
type meteredStore struct {
	next dashboard.Store
	m    *obs.Metrics
}

var _ dashboard.Store = (*meteredStore)(nil)

// Close closes the store underneath; it is not a call to DynamoDB.
func (s *meteredStore) Close() error { return s.next.Close() }

func (s *meteredStore) done(err error) { s.m.Upstream(obs.UpstreamDynamoDB, upstreamOK(err)) }

func (s *meteredStore) GetProfile(ctx context.Context, userID string) (*dashboard.Profile, error) {
	p, err := s.next.GetProfile(ctx, userID)
	s.done(err)
	return p, err
}

func (s *meteredStore) SaveProfile(ctx context.Context, c dashboard.ProfileChange) error {
	err := s.next.SaveProfile(ctx, c)
	s.done(err)
	return err
}

func (s *meteredStore) UserIDByEmail(ctx context.Context, email string) (string, error) {
	id, err := s.next.UserIDByEmail(ctx, email)
	s.done(err)
	return id, err
}

func (s *meteredStore) UserIDByStripeCustomer(ctx context.Context, customerID string) (string, error) {
	id, err := s.next.UserIDByStripeCustomer(ctx, customerID)
	s.done(err)
	return id, err
}

func (s *meteredStore) EachProfile(ctx context.Context, fn func(*dashboard.Profile) error) error {
	var cbErr error
	err := s.next.EachProfile(ctx, func(p *dashboard.Profile) error {
		cbErr = fn(p)
		return cbErr
	})
	s.m.Upstream(obs.UpstreamDynamoDB, callbackOK(err, cbErr))
	return err
}

func (s *meteredStore) EachStripeMember(ctx context.Context, fn func(userID, customerID string) error) error {
	var cbErr error
	err := s.next.EachStripeMember(ctx, func(userID, customerID string) error {
		cbErr = fn(userID, customerID)
		return cbErr
	})
	s.m.Upstream(obs.UpstreamDynamoDB, callbackOK(err, cbErr))
	return err
}

func (s *meteredStore) GetOrder(ctx context.Context, userID, orderID string, created time.Time) (*dashboard.OrderSnapshot, error) {
	o, err := s.next.GetOrder(ctx, userID, orderID, created)
	s.done(err)
	return o, err
}

func (s *meteredStore) FindOrder(ctx context.Context, orderID string) (*dashboard.OrderSnapshot, error) {
	o, err := s.next.FindOrder(ctx, orderID)
	s.done(err)
	return o, err
}

func (s *meteredStore) PutOrder(ctx context.Context, snap *dashboard.OrderSnapshot) error {
	err := s.next.PutOrder(ctx, snap)
	s.done(err)
	return err
}

func (s *meteredStore) ListOrders(ctx context.Context, userID string, limit int, after string) (dashboard.OrderPage, error) {
	p, err := s.next.ListOrders(ctx, userID, limit, after)
	s.done(err)
	return p, err
}

func (s *meteredStore) ReplaceHoldings(ctx context.Context, userID string, holdings []dashboard.Holding, syncedAt time.Time) (dashboard.HoldingDiff, error) {
	d, err := s.next.ReplaceHoldings(ctx, userID, holdings, syncedAt)
	s.done(err)
	return d, err
}

func (s *meteredStore) ListHoldings(ctx context.Context, userID, collectionID string, limit int, after string) (dashboard.HoldingPage, error) {
	p, err := s.next.ListHoldings(ctx, userID, collectionID, limit, after)
	s.done(err)
	return p, err
}

func (s *meteredStore) RemoveHoldings(ctx context.Context, userID string) (int, error) {
	n, err := s.next.RemoveHoldings(ctx, userID)
	s.done(err)
	return n, err
}

func (s *meteredStore) EachHolder(ctx context.Context, collectionID string, fn func(dashboard.Holder) error) error {
	var cbErr error
	err := s.next.EachHolder(ctx, collectionID, func(h dashboard.Holder) error {
		cbErr = fn(h)
		return cbErr
	})
	s.m.Upstream(obs.UpstreamDynamoDB, callbackOK(err, cbErr))
	return err
}

func (s *meteredStore) SyncedAt(ctx context.Context, userID string, kind dashboard.SyncKind) (*time.Time, error) {
	t, err := s.next.SyncedAt(ctx, userID, kind)
	s.done(err)
	return t, err
}

func (s *meteredStore) MarkSynced(ctx context.Context, userID string, kind dashboard.SyncKind, at time.Time) error {
	err := s.next.MarkSynced(ctx, userID, kind, at)
	s.done(err)
	return err
}

func (s *meteredStore) EventProcessed(ctx context.Context, eventID string) (bool, error) {
	ok, err := s.next.EventProcessed(ctx, eventID)
	s.done(err)
	return ok, err
}

func (s *meteredStore) MarkEventProcessed(ctx context.Context, eventID string, at time.Time) error {
	err := s.next.MarkEventProcessed(ctx, eventID, at)
	s.done(err)
	return err
}

func (s *meteredStore) Watermark(ctx context.Context, name string) (time.Time, error) {
	t, err := s.next.Watermark(ctx, name)
	s.done(err)
	return t, err
}

func (s *meteredStore) SetWatermark(ctx context.Context, name string, at time.Time) error {
	err := s.next.SetWatermark(ctx, name, at)
	s.done(err)
	return err
}

func (s *meteredStore) LatestReconcileRun(ctx context.Context) (*dashboard.ReconcileRun, error) {
	r, err := s.next.LatestReconcileRun(ctx)
	s.done(err)
	return r, err
}

func (s *meteredStore) SaveReconcileRun(ctx context.Context, run dashboard.ReconcileRun) error {
	err := s.next.SaveReconcileRun(ctx, run)
	s.done(err)
	return err
}

func (s *meteredStore) ReconcileCheckpoint(ctx context.Context, runID string, from time.Time) (*dashboard.ReconcileCheckpoint, error) {
	c, err := s.next.ReconcileCheckpoint(ctx, runID, from)
	s.done(err)
	return c, err
}

func (s *meteredStore) ReconcileCheckpoints(ctx context.Context, runID string) ([]dashboard.ReconcileCheckpoint, error) {
	cs, err := s.next.ReconcileCheckpoints(ctx, runID)
	s.done(err)
	return cs, err
}

func (s *meteredStore) SaveReconcileCheckpoint(ctx context.Context, c dashboard.ReconcileCheckpoint) error {
	err := s.next.SaveReconcileCheckpoint(ctx, c)
	s.done(err)
	return err
}

func (s *meteredStore) SaveWalletChallenge(ctx context.Context, c dashboard.WalletChallenge) error {
	err := s.next.SaveWalletChallenge(ctx, c)
	s.done(err)
	return err
}

func (s *meteredStore) TakeWalletChallenge(ctx context.Context, userID, nonce string) (*dashboard.WalletChallenge, error) {
	c, err := s.next.TakeWalletChallenge(ctx, userID, nonce)
	s.done(err)
	return c, err
}

// meteredPayments counts Stripe calls. ParseWebhook is local work (an HMAC)
// and is not counted.
type meteredPayments struct {
	next dashboard.Payments
	m    *obs.Metrics
}

var _ dashboard.Payments = (*meteredPayments)(nil)

// ParseWebhook verifies and decodes a webhook: no call to Stripe.
func (p *meteredPayments) ParseWebhook(payload []byte, signature string) (*dashboard.StripeEvent, error) {
	return p.next.ParseWebhook(payload, signature)
}

func (p *meteredPayments) Session(ctx context.Context, id string) (*dashboard.CheckoutSession, error) {
	s, err := p.next.Session(ctx, id)
	p.m.Upstream(obs.UpstreamStripe, upstreamOK(err))
	return s, err
}

func (p *meteredPayments) ListSessions(ctx context.Context, q dashboard.SessionQuery, each func(*dashboard.CheckoutSession) error) error {
	var cbErr error
	err := p.next.ListSessions(ctx, q, func(s *dashboard.CheckoutSession) error {
		cbErr = each(s)
		return cbErr
	})
	p.m.Upstream(obs.UpstreamStripe, callbackOK(err, cbErr))
	return err
}

// meteredMarket counts marketplace calls.
type meteredMarket struct {
	next dashboard.Marketplace
	m    *obs.Metrics
}

var _ dashboard.Marketplace = (*meteredMarket)(nil)

func (mk *meteredMarket) Holdings(ctx context.Context, wallet string) ([]dashboard.Holding, error) {
	h, err := mk.next.Holdings(ctx, wallet)
	mk.m.Upstream(obs.UpstreamMarketplace, upstreamOK(err))
	return h, err
}

func (s *meteredStore) SaveCode(ctx context.Context, c dashboard.VerificationCode) error {
	err := s.next.SaveCode(ctx, c)
	s.done(err)
	return err
}

func (s *meteredStore) GetCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string, now time.Time) (*dashboard.VerificationCode, error) {
	c, err := s.next.GetCode(ctx, userID, purpose, target, now)
	s.done(err)
	return c, err
}

func (s *meteredStore) TakeCodeAttempt(ctx context.Context, userID string, purpose dashboard.CodePurpose, target, hash string) (int, error) {
	n, err := s.next.TakeCodeAttempt(ctx, userID, purpose, target, hash)
	s.done(err)
	return n, err
}

func (s *meteredStore) DeleteCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string) error {
	err := s.next.DeleteCode(ctx, userID, purpose, target)
	s.done(err)
	return err
}

// TakeRate counts a refusal (ERATELIMITED) as a healthy answer: it is the
// limit speaking, not DynamoDB throttling.
func (s *meteredStore) TakeRate(ctx context.Context, userID, name string, limit int, window time.Duration, now time.Time) error {
	err := s.next.TakeRate(ctx, userID, name, limit, window, now)
	s.m.Upstream(obs.UpstreamDynamoDB, err == nil || dashboard.ErrorCode(err) == dashboard.ERATELIMITED)
	return err
}

func (s *meteredStore) CheckoutEmails(ctx context.Context, userID string) ([]dashboard.CheckoutEmail, error) {
	list, err := s.next.CheckoutEmails(ctx, userID)
	s.done(err)
	return list, err
}

func (s *meteredStore) AddCheckoutEmail(ctx context.Context, c dashboard.CheckoutEmail) error {
	err := s.next.AddCheckoutEmail(ctx, c)
	s.done(err)
	return err
}

func (s *meteredStore) VerifyCheckoutEmail(ctx context.Context, userID, email string, at time.Time) error {
	err := s.next.VerifyCheckoutEmail(ctx, userID, email, at)
	s.done(err)
	return err
}

func (s *meteredStore) DeleteCheckoutEmail(ctx context.Context, userID, email string) error {
	err := s.next.DeleteCheckoutEmail(ctx, userID, email)
	s.done(err)
	return err
}

func (s *meteredStore) UserIDByCheckoutEmail(ctx context.Context, email string) (string, error) {
	id, err := s.next.UserIDByCheckoutEmail(ctx, email)
	s.done(err)
	return id, err
}

func (s *meteredStore) Wallets(ctx context.Context, userID string) ([]dashboard.MemberWallet, error) {
	ws, err := s.next.Wallets(ctx, userID)
	s.done(err)
	return ws, err
}

func (s *meteredStore) AddWallet(ctx context.Context, w dashboard.MemberWallet) error {
	err := s.next.AddWallet(ctx, w)
	s.done(err)
	return err
}

func (s *meteredStore) VerifyWallet(ctx context.Context, userID, address string, kind dashboard.WalletKind, at time.Time) error {
	err := s.next.VerifyWallet(ctx, userID, address, kind, at)
	s.done(err)
	return err
}

func (s *meteredStore) RemoveWallet(ctx context.Context, userID, address string) error {
	err := s.next.RemoveWallet(ctx, userID, address)
	s.done(err)
	return err
}

func (s *meteredStore) WalletMembers(ctx context.Context, address string) ([]string, error) {
	ids, err := s.next.WalletMembers(ctx, address)
	s.done(err)
	return ids, err
}

func (s *meteredStore) EachShardWalletMember(ctx context.Context, shard, afterAddress, afterUserID string, fn func(address, userID string) error) error {
	var cbErr error
	err := s.next.EachShardWalletMember(ctx, shard, afterAddress, afterUserID, func(address, userID string) error {
		cbErr = fn(address, userID)
		return cbErr
	})
	s.m.Upstream(obs.UpstreamDynamoDB, callbackOK(err, cbErr))
	return err
}

func (s *meteredStore) EachWalletMember(ctx context.Context, fn func(address, userID string) error) error {
	var cbErr error
	err := s.next.EachWalletMember(ctx, func(address, userID string) error {
		cbErr = fn(address, userID)
		return cbErr
	})
	s.m.Upstream(obs.UpstreamDynamoDB, callbackOK(err, cbErr))
	return err
}
