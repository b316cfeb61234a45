package markettest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
)

const wallet = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"

func get(t *testing.T, u string, hdr map[string]string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// No keep-alive: Go's transport would silently retry a dropped
	// request on a reused connection.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	return resp.StatusCode, body, resp.Header
}

func TestOpenSeaPagination(t *testing.T) {
	s := NewOpenSea(t)
	s.SetHoldings(wallet, []NFT{{Contract: wallet, TokenID: "1"}, {Contract: wallet, TokenID: "2"}, {Contract: wallet, TokenID: "3"}})
	s.SetPageSize(2)
	key := map[string]string{"X-API-KEY": DefaultAPIKey}
	base := s.URL() + "/api/v2/chain/ethereum/account/" + wallet + "/nfts?limit=200"
	status, body, _ := get(t, base, key)
	next, _ := body["next"].(string)
	if status != 200 || len(body["nfts"].([]any)) != 2 || next == "" {
		t.Fatalf("page 1: %d %v", status, body)
	}
	status, body, _ = get(t, base+"&next="+url.QueryEscape(next), key)
	if _, more := body["next"]; status != 200 || len(body["nfts"].([]any)) != 1 || more {
		t.Fatalf("page 2: %d %v", status, body)
	}
	if got := s.Requests(); len(got) != 2 || got[1].Page != 2 {
		t.Errorf("requests %+v", got)
	}
	for _, c := range []struct {
		u    string
		hdr  map[string]string
		want int
	}{
		{base, nil, 401},
		{base, map[string]string{"X-API-KEY": "nope"}, 401},
		{s.URL() + "/api/v2/chain/matic/account/" + wallet + "/nfts", key, 400},
		{base + "&next=garbage!", key, 400},
		{s.URL() + "/api/v2/chain/ethereum/account/" + wallet + "/nfts?limit=500", key, 400},
		{s.URL() + "/nft/v3/" + DefaultAPIKey + "/getNFTsForOwner?owner=" + wallet, nil, 404},
	} {
		if status, _, _ := get(t, c.u, c.hdr); status != c.want {
			t.Errorf("GET %s = %d, want %d", c.u, status, c.want)
		}
	}
	if s.Calls() != 8 || s.WalletCalls(wallet) != 8 {
		t.Errorf("calls %d, wallet calls %d", s.Calls(), s.WalletCalls(wallet))
	}
}

func TestAlchemyInjections(t *testing.T) {
	s := NewAlchemy(t)
	s.SetHoldings(wallet, []NFT{{Contract: wallet, TokenID: "1"}})
	u := s.URL() + "/nft/v3/" + DefaultAPIKey + "/getNFTsForOwner?withMetadata=true&owner=" + wallet
	s.SetRetryAfter("7")
	s.FailNext(429, 503, 500)
	for _, want := range []struct {
		status int
		retry  string
	}{{429, "7"}, {503, "7"}, {500, ""}, {200, ""}} {
		status, _, hdr := get(t, u, nil)
		if status != want.status || hdr.Get("Retry-After") != want.retry {
			t.Errorf("status %d Retry-After %q, want %d %q", status, hdr.Get("Retry-After"), want.status, want.retry)
		}
	}
	s.Malformed(1)
	if status, body, _ := get(t, u, nil); status != 200 || body != nil {
		t.Errorf("malformed: %d %v", status, body)
	}
	s.Heal()
	s.FailNext(Drop)
	if status, _, _ := get(t, u, nil); status != 0 {
		t.Errorf("drop answered %d", status)
	}
	status, body, _ := get(t, u, nil)
	if status != 200 || body["pageKey"] != nil || body["totalCount"] != 1.0 {
		t.Errorf("healed: %d %v", status, body)
	}
	if status, _, _ := get(t, s.URL()+"/nft/v3/wrong/getNFTsForOwner?owner="+wallet, nil); status != 401 {
		t.Errorf("wrong key: %d", status)
	}
}

func TestNotifyPayload(t *testing.T) {
	body := NFTActivity("").Transfer(wallet, "255", ZeroAddress, wallet).Transfer1155(wallet, "1", 2, wallet, ZeroAddress).JSON()
	var p struct {
		Type  string
		Event struct {
			Network  string
			Activity []map[string]any
		}
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "NFT_ACTIVITY" || p.Event.Network != "ETH_MAINNET" || len(p.Event.Activity) != 2 ||
		p.Event.Activity[0]["erc721TokenId"] != "0xff" || p.Event.Activity[0]["contractAddress"] != wallet {
		t.Errorf("payload %s", body)
	}
	if got := SignWebhook([]byte("k"), []byte("body")); len(got) != 64 {
		t.Errorf("signature %q", got)
	}
}
