// Package rng derives the suite's random streams.
//
// A run never touches a global random source. Every consumer of randomness
// (data generation, initialisation, noise, skip decisions, shuffling, ...)
// asks for its own stream by name:
//
//	init := rng.New(seed, "init")
//	noise := rng.New(seed, "noise/layer3")
//
// A stream is a PCG generator (math/rand/v2) whose two state words are a hash
// of (run seed, purpose). Streams for different purposes are therefore
// statistically independent, and adding a new consumer does not shift the
// values any existing consumer sees. The derivation is pinned by a golden
// test: a change to it changes every result of the suite and must be
// deliberate.
//
// The per-unit noise of the noisy and mollified layers, drawn for every unit
// of every example at every update, comes from [Noise] (derived the same way):
// a PCG generator called directly and a ziggurat normal sampler of our own,
// about three times faster than *rand.Rand's NormFloat64 and Float64, with
// its distribution tested against the normal law and its values pinned by
// a golden test.
package rng
