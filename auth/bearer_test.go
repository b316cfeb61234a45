package auth_test

import (
	"testing"

	"github.com/thebabesclub/dashboard/auth"
)

func TestBearerToken(t *testing.T) {
	const jwtish = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiJ1In0.c2ln"
	tests := []struct {
		header string
		want   string // "" = error
	}{
		{"Bearer " + jwtish, jwtish},
		{"bearer " + jwtish, jwtish},
		{"BEARER " + jwtish, jwtish},
		{"bEaReR abc", "abc"},
		{"Bearer abc==", "abc=="},
		{"Bearer a-b_c.d~e+f/g", "a-b_c.d~e+f/g"},
		{"", ""},
		{"Bearer", ""},
		{"Bearer ", ""},
		{"Bearer  ", ""},
		{"Bearer  " + jwtish, ""},
		{"Bearer\t" + jwtish, ""},
		{" Bearer " + jwtish, ""},
		{"Bearer " + jwtish + " ", ""},
		{"Bearer " + jwtish + " extra", ""},
		{"Bearer Bearer " + jwtish, ""},
		{"Bearer ==", ""},
		{"Bearer a=b", ""},
		{"Bearer a,b", ""},
		{"Bearer a\x00b", ""},
		{"Bearer a\nb", ""},
		{"Bearer ä", ""},
		{"Basic dXNlcjpwYXNz", ""},
		{"Basic " + jwtish, ""},
		{"Token " + jwtish, ""},
		{"Bearerx " + jwtish, ""},
		{jwtish, ""},
	}
	for _, tt := range tests {
		got, err := auth.BearerToken(tt.header)
		if tt.want == "" {
			if err == nil {
				t.Errorf("BearerToken(%q) = %q, want an error", tt.header, got)
				continue
			}
			checkRefusal(t, err)
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("BearerToken(%q) = %q, %v; want %q", tt.header, got, err, tt.want)
		}
	}
}
