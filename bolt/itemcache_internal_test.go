package bolt

import (
	"reflect"
	"testing"
	"time"

	dashboard "github.com/thebabesclub/dashboard"
)

// TestClonesShareNothing checks that what the item caches hand out is the
// caller's alone: every pointer, slice and map of a full value (every
// field set, fields added later included) is copied, and the copy is equal
// to the original.
func TestClonesShareNothing(t *testing.T) {
	c := newItemCaches()
	var p dashboard.Profile
	fillAll(reflect.ValueOf(&p).Elem())
	checkClone(t, "profile", &p, cloneProfile(&p))

	var o dashboard.OrderSnapshot
	fillAll(reflect.ValueOf(&o).Elem())
	oc := c.orders.clone(o)
	checkClone(t, "order", &o, &oc)

	var w dashboard.MemberWallet
	fillAll(reflect.ValueOf(&w).Elem())
	wc := c.wallets.clone(w)
	checkClone(t, "wallet", &w, &wc)

	var e dashboard.CheckoutEmail
	fillAll(reflect.ValueOf(&e).Elem())
	ec := c.checkoutEmails.clone(e)
	checkClone(t, "checkout email", &e, &ec)

	at := time.Now()
	checkClone(t, "sync marker", &at, c.markers.clone(&at))
}

// checkClone fails when clone differs from orig or shares memory with it.
func checkClone[T any](t *testing.T, name string, orig, clone *T) {
	t.Helper()
	if !reflect.DeepEqual(orig, clone) {
		t.Errorf("%s: the copy differs:\n%+v\n%+v", name, *orig, *clone)
	}
	if path := shared(reflect.ValueOf(orig).Elem(), reflect.ValueOf(clone).Elem(), name); path != "" {
		t.Errorf("the copy shares %s with the cached value", path)
	}
}

// shared returns the path of the first pointer, slice or map a and b
// share, or "".
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Index(0).Addr().Pointer() == b.Index(0).Addr().Pointer() {
			return path
		}
		for i := 0; i < a.Len() && i < b.Len(); i++ {
			if p := shared(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Map:
		if !a.IsNil() && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return ""
		}
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// fillAll sets every exported field of v, pointers, slices and maps
// non-empty.
func fillAll(v reflect.Value) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(p.Elem())
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fillAll(s.Index(0))
		fillAll(s.Index(1))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k)
		if e.Kind() != reflect.Interface {
			fillAll(e)
		} else {
			e.Set(reflect.ValueOf("x"))
		}
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i))
			}
		}
	}
}
