package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	dashboard "github.com/thebabesclub/dashboard"
)

// Sort-key prefixes of verification codes and rate limits (see dynamo).
const (
	codePrefix  = "CODE#"
	limitPrefix = "LIMIT#"
)

// codeItem is the stored form of a verification code.
type codeItem struct {
	PK        string `json:"PK"`
	SK        string `json:"SK"`
	UserID    string `json:"userId"`
	Purpose   string `json:"purpose"`
	Target    string `json:"target"`
	Email     string `json:"email"`
	CodeHash  string `json:"codeHash"`
	Attempts  int    `json:"attempts"`
	CreatedAt string `json:"createdAt"`
	ExpiresAt int64  `json:"expiresAt"`
}

func codeSK(purpose dashboard.CodePurpose, target string) string {
	return codePrefix + string(purpose) + "#" + target
}

// SaveCode stores c, replacing the member's code of the same purpose and target.
func (s *Store) SaveCode(ctx context.Context, c dashboard.VerificationCode) error {
	if err := checkUser(c.UserID); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	it := codeItem{
		PK: userPrefix + c.UserID, SK: codeSK(c.Purpose, c.Target), UserID: c.UserID, Purpose: string(c.Purpose),
		Target: c.Target, Email: c.Email, CodeHash: c.Hash, Attempts: c.Attempts,
		CreatedAt: formatTime(c.CreatedAt), ExpiresAt: c.ExpiresAt.Unix(),
	}
	v, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("bolt: save code: %w", err)
	}
	err = s.db.Update(func(tx *bbolt.Tx) error {
		if err := sweepExpired(tx, codePrefix, c.UserID, s.now()); err != nil {
			return err
		}
		return putItem(tx, it.PK, it.SK, v, indexKeys{})
	})
	if err != nil {
		return fmt.Errorf("bolt: save code: %w", err)
	}
	return nil
}

// GetCode returns the stored, unexpired code.
func (s *Store) GetCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string, now time.Time) (*dashboard.VerificationCode, error) {
	if err := checkUser(userID); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var it *codeItem
	err := s.db.View(func(tx *bbolt.Tx) (err error) {
		it, err = getCode(tx, userID, purpose, target)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("bolt: get code: %w", err)
	}
	if it == nil || it.ExpiresAt <= now.Unix() {
		return nil, dashboard.Errorf(dashboard.ENOTFOUND, "No such code.")
	}
	created, _ := time.Parse(time.RFC3339Nano, it.CreatedAt)
	return &dashboard.VerificationCode{
		UserID: userID, Purpose: purpose, Target: target, Email: it.Email, Hash: it.CodeHash,
		Attempts: it.Attempts, CreatedAt: created.UTC(), ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(),
	}, nil
}

func getCode(tx *bbolt.Tx, userID string, purpose dashboard.CodePurpose, target string) (*codeItem, error) {
	v := tx.Bucket(bucketItems).Get(itemKey(userPrefix+userID, codeSK(purpose, target)))
	if v == nil {
		return nil, nil
	}
	var it codeItem
	if err := json.Unmarshal(v, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

// TakeCodeAttempt counts one try against the code with this hash, inside
// one bbolt write transaction, so concurrent tries are counted one by one.
func (s *Store) TakeCodeAttempt(ctx context.Context, userID string, purpose dashboard.CodePurpose, target, hash string) (int, error) {
	if err := checkUser(userID); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	attempts := 0
	err := s.db.Update(func(tx *bbolt.Tx) error {
		it, err := getCode(tx, userID, purpose, target)
		if err != nil {
			return err
		}
		if it == nil || it.CodeHash != hash || it.Attempts >= dashboard.MaxCodeAttempts {
			return dashboard.Errorf(dashboard.ENOTFOUND, "No such code.")
		}
		it.Attempts++
		attempts = it.Attempts
		v, err := json.Marshal(it)
		if err != nil {
			return err
		}
		return putItem(tx, it.PK, it.SK, v, indexKeys{})
	})
	if dashboard.ErrorCode(err) == dashboard.ENOTFOUND {
		return 0, err
	} else if err != nil {
		return 0, fmt.Errorf("bolt: take code attempt: %w", err)
	}
	return attempts, nil
}

// DeleteCode removes the code if it exists.
func (s *Store) DeleteCode(ctx context.Context, userID string, purpose dashboard.CodePurpose, target string) error {
	if err := checkUser(userID); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return deleteItem(tx, userPrefix+userID, codeSK(purpose, target))
	})
	if err != nil {
		return fmt.Errorf("bolt: delete code: %w", err)
	}
	return nil
}

// limitItem is the stored form of a sliding-window rate limit: the times
// (Unix milliseconds) of the events still inside the window.
type limitItem struct {
	PK        string  `json:"PK"`
	SK        string  `json:"SK"`
	Events    []int64 `json:"events"`
	ExpiresAt int64   `json:"expiresAt"`
}

// TakeRate records one event if the window has room, in one transaction.
func (s *Store) TakeRate(ctx context.Context, userID, name string, limit int, window time.Duration, now time.Time) error {
	if err := checkUser(userID); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		pk, sk := userPrefix+userID, limitPrefix+name
		it := limitItem{PK: pk, SK: sk}
		if v := tx.Bucket(bucketItems).Get(itemKey(pk, sk)); v != nil {
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
		}
		events, retry := dashboard.SlideWindow(it.Events, limit, window, now)
		if retry > 0 {
			return &dashboard.Error{Code: dashboard.ERATELIMITED, Message: "Too many requests; try again later.", RetryAfter: retry}
		}
		it.Events = events
		it.ExpiresAt = now.Add(window).Unix() + 1
		v, err := json.Marshal(it)
		if err != nil {
			return err
		}
		return putItem(tx, pk, sk, v, indexKeys{})
	})
	if code := dashboard.ErrorCode(err); code == dashboard.ERATELIMITED || err == nil {
		return err
	}
	return fmt.Errorf("bolt: take rate: %w", err)
}

// sweepExpired deletes the member's items under prefix whose expiresAt has
// passed, as DynamoDB's TTL would.
func sweepExpired(tx *bbolt.Tx, prefix, userID string, now time.Time) error {
	pk := userPrefix + userID
	start := itemKey(pk, prefix)
	var expired []string
	c := tx.Bucket(bucketItems).Cursor()
	for k, v := c.Seek(start); k != nil && len(k) >= len(start) && string(k[:len(start)]) == string(start); k, v = c.Next() {
		var item struct {
			SK        string `json:"SK"`
			ExpiresAt int64  `json:"expiresAt"`
		}
		if json.Unmarshal(v, &item) == nil && item.ExpiresAt > 0 && item.ExpiresAt <= now.Unix() {
			expired = append(expired, item.SK)
		}
	}
	for _, sk := range slices.Compact(expired) {
		if err := deleteItem(tx, pk, sk); err != nil {
			return err
		}
	}
	return nil
}
