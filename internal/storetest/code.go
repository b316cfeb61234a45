package storetest

import (
	"sync"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

var codeTests = []namedTest{
	{"CodeRoundTrip", testCodeRoundTrip},
	{"CodeReplaced", testCodeReplaced},
	{"CodeExpired", testCodeExpired},
	{"CodeAttemptsBounded", testCodeAttemptsBounded},
	{"CodeDeleted", testCodeDeleted},
	{"RateWindow", testRateWindow},
	{"RateRace", testRateRace},
	{"PendingEmailRoundTrip", testPendingEmailRoundTrip},
	{"MalformedMemberIDRefused", testMalformedMemberIDRefused},
}

func newCode(t *testing.T, id string, at time.Time) dashboard.VerificationCode {
	return dashboard.VerificationCode{
		UserID: id, Purpose: dashboard.CodeProfileEmail, Target: dashboard.CodeTargetProfile,
		Email: newEmail(t), Hash: newID(t) + newID(t), CreatedAt: at, ExpiresAt: at.Add(dashboard.CodeTTL),
	}
}

func getCode(t *testing.T, s RawStore, c dashboard.VerificationCode, now time.Time) (*dashboard.VerificationCode, error) {
	t.Helper()
	return s.GetCode(t.Context(), c.UserID, c.Purpose, c.Target, now)
}

func testCodeRoundTrip(t *testing.T, s RawStore) {
	c := newCode(t, newID(t), baseTime)
	must(t, s.SaveCode(t.Context(), c), "SaveCode")
	got, err := getCode(t, s, c, baseTime)
	must(t, err, "GetCode")
	if got.Email != c.Email || got.Hash != c.Hash || got.Attempts != 0 || !got.ExpiresAt.Equal(c.ExpiresAt.Truncate(time.Second)) {
		t.Errorf("GetCode = %+v, want %+v", got, c)
	}
	item := raw(t, s, "USER#"+c.UserID, "CODE#EMAIL#PROFILE")
	if item == nil || item["codeHash"] != c.Hash || item["expiresAt"] != float64(c.ExpiresAt.Unix()) {
		t.Errorf("raw code item = %v, want codeHash and a numeric expiresAt (TTL)", item)
	}
}

func testCodeReplaced(t *testing.T, s RawStore) {
	id := newID(t)
	first, second := newCode(t, id, baseTime), newCode(t, id, baseTime.Add(time.Minute))
	must(t, s.SaveCode(t.Context(), first), "SaveCode first")
	must(t, s.SaveCode(t.Context(), second), "SaveCode second")
	got, err := getCode(t, s, second, baseTime.Add(time.Minute))
	must(t, err, "GetCode")
	if got.Hash != second.Hash || got.Email != second.Email {
		t.Errorf("GetCode = %+v, want the second code", got)
	}
	_, err = s.TakeCodeAttempt(t.Context(), id, first.Purpose, first.Target, first.Hash)
	wantCode(t, err, dashboard.ENOTFOUND, "an attempt against the replaced code")
	if got, _ := getCode(t, s, second, baseTime); got == nil || got.Attempts != 0 {
		t.Errorf("the second code was charged an attempt meant for the first: %+v", got)
	}
}

func testCodeExpired(t *testing.T, s RawStore) {
	c := newCode(t, newID(t), baseTime)
	must(t, s.SaveCode(t.Context(), c), "SaveCode")
	_, err := getCode(t, s, c, c.ExpiresAt.Add(time.Second))
	wantCode(t, err, dashboard.ENOTFOUND, "GetCode after expiry")
	if _, err := getCode(t, s, c, c.ExpiresAt.Add(-time.Second)); err != nil {
		t.Errorf("GetCode a second before expiry: %v", err)
	}
}

// testCodeAttemptsBounded races many tries against one code: exactly
// MaxCodeAttempts are counted, each with its own number.
func testCodeAttemptsBounded(t *testing.T, s RawStore) {
	c := newCode(t, newID(t), baseTime)
	must(t, s.SaveCode(t.Context(), c), "SaveCode")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int]bool{}
		errs []error
	)
	for range 3 * dashboard.MaxCodeAttempts {
		wg.Go(func() {
			n, err := s.TakeCodeAttempt(t.Context(), c.UserID, c.Purpose, c.Target, c.Hash)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if seen[n] {
					t.Errorf("attempt number %d handed out twice", n)
				}
				seen[n] = true
			case dashboard.ErrorCode(err) != dashboard.ENOTFOUND:
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("TakeCodeAttempt: %v", err)
	}
	if len(seen) != dashboard.MaxCodeAttempts {
		t.Errorf("%d attempts counted, want exactly %d", len(seen), dashboard.MaxCodeAttempts)
	}
	for n := 1; n <= dashboard.MaxCodeAttempts; n++ {
		if !seen[n] {
			t.Errorf("attempt number %d never handed out", n)
		}
	}
}

func testCodeDeleted(t *testing.T, s RawStore) {
	c := newCode(t, newID(t), baseTime)
	must(t, s.SaveCode(t.Context(), c), "SaveCode")
	must(t, s.DeleteCode(t.Context(), c.UserID, c.Purpose, c.Target), "DeleteCode")
	_, err := getCode(t, s, c, baseTime)
	wantCode(t, err, dashboard.ENOTFOUND, "GetCode after delete")
	must(t, s.DeleteCode(t.Context(), c.UserID, c.Purpose, c.Target), "DeleteCode of an absent code")
}

func testRateWindow(t *testing.T, s RawStore) {
	id, window := newID(t), time.Hour
	at := baseTime
	for i := range 3 {
		must(t, s.TakeRate(t.Context(), id, "mail", 3, window, at.Add(time.Duration(i)*time.Minute)), "TakeRate within the limit")
	}
	err := s.TakeRate(t.Context(), id, "mail", 3, window, at.Add(10*time.Minute))
	wantCode(t, err, dashboard.ERATELIMITED, "a fourth event within the hour")
	if got := dashboard.ErrorRetryAfter(err); got != 50*time.Minute {
		t.Errorf("RetryAfter = %v, want 50m (when the first event leaves the window)", got)
	}
	// Another member and another limit name are counted apart.
	must(t, s.TakeRate(t.Context(), newID(t), "mail", 3, window, at.Add(10*time.Minute)), "another member")
	must(t, s.TakeRate(t.Context(), id, "export", 3, window, at.Add(10*time.Minute)), "another limit")
	// A refused event is not recorded: once the first leaves the window,
	// exactly one place is free again.
	must(t, s.TakeRate(t.Context(), id, "mail", 3, window, at.Add(window+time.Second)), "after the first event left")
	err = s.TakeRate(t.Context(), id, "mail", 3, window, at.Add(window+2*time.Second))
	wantCode(t, err, dashboard.ERATELIMITED, "the window is full again")
}

func testRateRace(t *testing.T, s RawStore) {
	id := newID(t)
	var (
		wg sync.WaitGroup
		mu sync.Mutex
		ok int
	)
	for range 12 {
		wg.Go(func() {
			err := s.TakeRate(t.Context(), id, "mail", 5, time.Hour, baseTime)
			mu.Lock()
			defer mu.Unlock()
			switch dashboard.ErrorCode(err) {
			case "":
				ok++
			case dashboard.ERATELIMITED:
			default:
				t.Errorf("TakeRate: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 5 {
		t.Errorf("%d of 12 racing events were let through, want exactly 5", ok)
	}
}

// testPendingEmailRoundTrip: a pending email is kept on the profile and
// claims no login lookup.
func testPendingEmailRoundTrip(t *testing.T, s RawStore) {
	id, email, pending := newID(t), newEmail(t), newEmail(t)
	create(t, s, fullProfile(t, id, email, baseTime))
	at, exp := baseTime.Add(time.Minute), baseTime.Add(16*time.Minute)
	p := get(t, s, id)
	p.PendingEmail, p.PendingEmailExpiresAt, p.UpdatedAt = &pending, &exp, &at
	must(t, save(t, s, p, []string{dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp}, &baseTime, email), "save pending email")
	got := get(t, s, id)
	if got.Email != email || got.PendingEmail == nil || *got.PendingEmail != pending {
		t.Fatalf("profile email %q pending %v, want %q pending %q", got.Email, got.PendingEmail, email, pending)
	}
	checkTime(t, "pendingEmailExpiresAt", got.PendingEmailExpiresAt, exp)
	checkLookup(t, s, pending, "")
	checkLookup(t, s, email, id)
	// Clearing both removes them.
	got.PendingEmail, got.PendingEmailExpiresAt = nil, nil
	later := at.Add(time.Minute)
	prev := *got.UpdatedAt
	got.UpdatedAt = &later
	must(t, save(t, s, got, []string{dashboard.FieldPendingEmail, dashboard.FieldPendingEmailExp}, &prev, email), "clear pending email")
	item := raw(t, s, "USER#"+id, "PROFILE")
	if _, ok := item["pendingEmail"]; ok {
		t.Errorf("pendingEmail still stored: %v", item)
	}
	if _, ok := item["pendingEmailExpiresAt"]; ok {
		t.Errorf("pendingEmailExpiresAt still stored: %v", item)
	}
}

// testMalformedMemberIDRefused: both stores refuse the member ids no token
// could carry, and write nothing for them.
func testMalformedMemberIDRefused(t *testing.T, s RawStore) {
	base := newID(t)
	for _, id := range []string{"", base + "#PROFILE", "a b", base + "\x00"} {
		now := baseTime
		err := save(t, s, &dashboard.Profile{UserID: id, Email: newEmail(t), UpdatedAt: &now}, []string{dashboard.FieldEmail}, nil, "")
		wantCode(t, err, dashboard.EVALIDATION, "SaveProfile with member id "+id)
		c := newCode(t, id, baseTime)
		wantCode(t, s.SaveCode(t.Context(), c), dashboard.EVALIDATION, "SaveCode with member id "+id)
		wantCode(t, s.TakeRate(t.Context(), id, "mail", 5, time.Hour, baseTime), dashboard.EVALIDATION, "TakeRate with member id "+id)
		if id != "" {
			if item := raw(t, s, "USER#"+id, "PROFILE"); item != nil {
				t.Errorf("a profile was written for member id %q: %v", id, item)
			}
		}
	}
}
