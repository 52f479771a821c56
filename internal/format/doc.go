// Package format prints the quantities the suite reports to people in one
// way everywhere: durations in days, hours, minutes or seconds.
package format
