// Package stats summarises results over seeds: means with percentile
// bootstrap confidence intervals, paired differences and the probability of
// improvement (as in rliable, Agarwal et al. 2021).
//
// Seeds are the unit of replication: a sample is one number per seed. The
// bootstrap resamples seeds with replacement from a fixed seed, so an interval
// is reproducible byte for byte. Summaries carry warnings instead of
// pretending: with fewer than MinN seeds an interval is reported but flagged.
package stats
