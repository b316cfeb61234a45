package httpapi_test

import (
	"crypto/rand"
	"encoding/hex"
)

func newMemberID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
