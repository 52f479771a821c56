package train

// Workload is the work of one classification run: its settings and the
// sizes of its splits. Tasks that train with [Classify] describe their
// profiles with it (see [Workloader]), so that tools can count updates and
// evaluations without loading data or training; package bench/speed turns
// it and measured step times into time estimates.
type Workload struct {
	Settings
	// Train, Valid and Test are the numbers of examples of the splits.
	Train, Valid, Test int
}

// Workloader is implemented by tasks that can state the workload of one run
// under a profile.
type Workloader interface {
	Workload(profile string) (Workload, error)
}

// Updates is the number of updates of a run, as Classify makes them.
func (w Workload) Updates() int { return w.Settings.Updates(w.Train) }

// Evaluations is the number of evaluations of a run that does not diverge:
// one of the untrained network, one every EvalEvery updates (every epoch
// when it is 0) and one after the last update.
func (w Workload) Evaluations() int {
	total := w.Updates()
	every := w.EvalEvery
	if every == 0 {
		every = w.Train / w.Batch
	}
	n := 1 + total/every
	if total%every != 0 {
		n++
	}
	return n
}

// EvalExamples is the number of examples one evaluation runs forward: the
// training subset (TrainEval, or the whole training set when it is 0 or
// larger), the validation set and the test set.
func (w Workload) EvalExamples() int {
	tr := w.Train
	if w.TrainEval > 0 && w.TrainEval < w.Train {
		tr = w.TrainEval
	}
	return tr + w.Valid + w.Test
}

// EvalChunk is the number of examples evaluated at once.
func (w Workload) EvalChunk() int {
	if w.EvalBatch > 0 {
		return w.EvalBatch
	}
	return max(w.Batch, 500)
}
