// Package report turns result files into tables and figures: per task, the
// tuning outcome, the final metrics of every configuration (mean and 95%
// bootstrap interval over seeds), comparisons with the mollified network,
// verdicts on the paper's claims, and learning-curve figures. The tasks of
// the results' profile that have no result file are listed as not run here,
// claims and paper tables included, so that a folder says what it leaves out.
//
// It reads nothing but the result files (package harness) and the task's
// declaration of what to show (experiment.Reporter), so a report can be rebuilt
// at any time, on any machine, from the files alone.
package report
