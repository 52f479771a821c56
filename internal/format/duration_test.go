package format

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "—"}, {-time.Second, "—"}, {12 * time.Second, "12 s"}, {119 * time.Second, "119 s"},
		{2 * time.Minute, "2 min"}, {103 * time.Minute, "103 min"}, {2 * time.Hour, "2.0 h"},
		{47 * time.Hour, "47.0 h"}, {48 * time.Hour, "2.0 days"}, {373 * 24 * time.Hour, "373.0 days"},
	} {
		if got := Duration(c.d); got != c.want {
			t.Errorf("Duration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := Seconds(10440); got != "2.9 h" {
		t.Errorf("Seconds(10440) = %q", got)
	}
}
