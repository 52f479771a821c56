package rng

import (
	"hash/fnv"
	"math/rand/v2"
)

// New returns the stream for (seed, purpose).
func New(seed uint64, purpose string) *rand.Rand {
	return rand.New(Source(seed, purpose))
}

// Source returns the PCG source behind [New], for code that wants to keep a
// source by value or reseed it.
func Source(seed uint64, purpose string) *rand.PCG {
	hi, lo := Words(seed, purpose)
	return rand.NewPCG(hi, lo)
}

// Words returns the two PCG seed words for (seed, purpose). The purpose is
// hashed with 64-bit FNV-1a and both words go through the splitmix64
// finaliser, so nearby seeds and similar names give unrelated streams.
func Words(seed uint64, purpose string) (hi, lo uint64) {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	p := h.Sum64()
	return mix(seed ^ mix(p)), mix(p + 0x9e3779b97f4a7c15*(seed+1))
}

// Derive returns a child seed for (seed, purpose), for code that must hand a
// plain seed to another component (for example one seed per tuning trial).
func Derive(seed uint64, purpose string) uint64 {
	hi, lo := Words(seed, purpose)
	return mix(hi ^ (lo << 1))
}

// mix is the splitmix64 output function: a bijection on uint64 with full
// avalanche.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
