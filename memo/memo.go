// Package memo computes a value once per key and shares it among
// goroutines: the data sets that all the runs of a sweep have in common.
package memo

import "sync"

// Map memoises values by key. The zero value is ready to use. A value is
// computed at most once per key, even when several goroutines ask for it at
// the same time (the others wait); errors are remembered too, so a missing
// file fails every run the same way without being read again.
type Map[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*entry[V]
}

type entry[V any] struct {
	once sync.Once
	v    V
	err  error
}

// Get returns the value for key, computing it with f the first time.
func (c *Map[K, V]) Get(key K, f func() (V, error)) (V, error) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*entry[V]{}
	}
	e, ok := c.m[key]
	if !ok {
		e = &entry[V]{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}
