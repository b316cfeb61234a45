package httpapi_test

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
	"github.com/thebabesclub/dashboard/auth"
)

func newMemberID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func signToken(m dashboard.Member) (string, error) {
	return auth.Sign(testSecret, auth.Claims{UserID: m.UserID, Email: m.Email, DisplayName: m.DisplayName, Role: m.Role}, time.Now(), time.Hour)
}
