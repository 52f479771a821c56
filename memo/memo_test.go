package memo

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestOncePerKey(t *testing.T) {
	var m Map[string, int]
	var calls atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []string{"a", "b"}[i%2]
			v, err := m.Get(key, func() (int, error) {
				calls.Add(1)
				return len(key) * 7, nil
			})
			if err != nil || v != 7 {
				t.Errorf("Get(%q) = %d, %v", key, v, err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 2 {
		t.Fatalf("computed %d times for 2 keys", n)
	}
}

func TestErrorsAreRemembered(t *testing.T) {
	var m Map[int, string]
	boom := errors.New("boom")
	calls := 0
	for range 3 {
		if _, err := m.Get(1, func() (string, error) { calls++; return "", boom }); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls != 1 {
		t.Fatalf("computed %d times", calls)
	}
}
