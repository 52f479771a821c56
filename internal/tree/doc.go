// Package tree holds checks of the repository itself, run by go test with
// the rest of the suite: the module carries everything it reads (no Go file
// names a data file by an absolute path of the machine it was written on,
// nor a folder outside the module), commits no compiled binary, and cites
// no document that is not in the repository.
//
// It has no code of its own: the checks are its tests, so that `make test`
// fails on a fresh clone exactly when a user's machine would.
package tree
