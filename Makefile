# Thin wrapper around the mollify command; every target is one command.
PROFILE ?= paper
TASKS   ?= all
CONFIGS ?= all
GO      ?= go
BIN     := bin/mollify
REV     := $(shell git rev-parse HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
LDFLAGS := -X github.com/mollifying/mollify/store.Revision=$(REV)

.PHONY: build reproduce report reference test vet fmt-check unit race fuzz check golden clean test-slurm soak

## build: compile bin/mollify, stamped with the git revision
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/mollify

## reproduce: run the PROFILE (paper, or quick) sweep of TASKS and CONFIGS
## (comma-separated, default all), resuming, then report
reproduce: build
	$(BIN) reproduce -profile $(PROFILE) -tasks $(TASKS) -configs $(CONFIGS)

## report: rebuild results/PROFILE/report.md, report.html, figures and
## exports from the result files (PROFILE defaults to paper here and in
## mollify's -profile alike; check and golden use quick)
report: build
	$(BIN) report -profile $(PROFILE)

## reference: the reference campaign, resumable (paper/TUNING.md): the paper
## profile of REFERENCE_TASKS into results/reference/paper and the reduced
## profile of ptb and pentomino into results/reference/reduced, one task at a
## time (so that each task's files can be committed as it finishes), one
## worker per core, each task's runs that the current design no longer makes
## pruned once it is done (they stay in git's history); then both reports,
## and the paper profile's plan (plan.txt: what the tasks not run here, such
## as CIFAR-10, would cost, measured on this machine once the campaign's
## runs are over), and replay.txt in each folder (mollify replay: the
## shortest run of each task and code revision rerun with this revision,
## compared bit for bit)
REFERENCE_TASKS ?= mnist-tanh mnist-sigmoid parity-small copy wordembed parity
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
reference: build
	for t in $(REFERENCE_TASKS); do $(BIN) run -profile paper -tasks $$t -workers $(WORKERS) -out results/reference/paper && $(BIN) prune -profile paper -tasks $$t -out results/reference/paper -delete || exit $$?; done
	for t in ptb pentomino; do $(BIN) run -profile reduced -tasks $$t -workers $(WORKERS) -out results/reference/reduced && $(BIN) prune -profile reduced -tasks $$t -out results/reference/reduced -delete || exit $$?; done
	$(BIN) report -profile paper -out results/reference/paper
	$(BIN) report -profile reduced -out results/reference/reduced
	$(BIN) plan -profile paper -out results/reference/paper > results/reference/paper/plan.txt.tmp && mv results/reference/paper/plan.txt.tmp results/reference/paper/plan.txt
	for p in paper reduced; do $(BIN) replay -profile $$p -out results/reference/$$p > results/reference/$$p/replay.txt.tmp; s=$$?; mv results/reference/$$p/replay.txt.tmp results/reference/$$p/replay.txt; [ $$s -eq 0 ] || exit $$s; done

## test: vet, gofmt, unit tests, the race detector on the packages with
## concurrency, a short run of every parser's fuzzer, and the quick profile
## against the golden results
test: vet fmt-check unit race fuzz check

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -l reports:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test ./...

## fuzz: each parser's fuzzer for a fixed number of executions (about 10 s
## each here), or for FUZZTIME when it is set (a duration such as 1m, or Nx).
## A count, not a duration, is the default because Go 1.26's coordinator can
## report a spurious "context deadline exceeded" when a duration ends while a
## worker is mid-input (golang/go#75804, fixed in Go 1.27): with a count there
## is no deadline to race.
fuzz:
	$(GO) test ./tasks/mnist -run '^$$' -fuzz '^FuzzParseIdx$$' -fuzztime $(or $(FUZZTIME),100000x) -parallel 1
	$(GO) test ./tasks/cifar10 -run '^$$' -fuzz '^FuzzReadFile$$' -fuzztime $(or $(FUZZTIME),100000x) -parallel 1
	$(GO) test ./tasks/ptb -run '^$$' -fuzz '^FuzzCharText$$' -fuzztime $(or $(FUZZTIME),50000x) -parallel 1
	$(GO) test ./store -run '^$$' -fuzz '^FuzzLoadResult$$' -fuzztime $(or $(FUZZTIME),6000x) -parallel 1
	$(GO) test ./cmd/mollify -run '^$$' -fuzz '^FuzzSweepFile$$' -fuzztime $(or $(FUZZTIME),15000x) -parallel 1
	$(GO) test ./cmd/mollify -run '^$$' -fuzz '^FuzzOptionFlags$$' -fuzztime $(or $(FUZZTIME),20000x) -parallel 1

## race: the packages that run or cache concurrently, under the race detector
race:
	$(GO) test -race ./harness ./store ./memo

## check: run the quick profile afresh and compare it with results/golden/quick
check: build
	$(BIN) check -profile quick

## test-slurm: a quick sweep as a 4-shard Slurm job array on a single-node
## cluster started here (needs root, slurmctld, slurmd, slurm-client, munge),
## checked bit for bit against the same sweep in one process
test-slurm:
	bash deploy/slurm/test.sh

## soak: the whole quick profile killed with SIGKILL at SOAK random moments
## (default 20), then finished; every result must match the golden ones
SOAK ?= 20
soak:
	MOLLIFY_SOAK=$(SOAK) $(GO) test ./cmd/mollify -run '^TestKillSoak$$' -count 1 -v -timeout 60m

## golden: accept the current quick-profile results as the new golden files
golden: build
	$(BIN) check -profile quick -update

clean:
	rm -rf bin results/quick

.PHONY: bench
## bench: time the GEMM kernel and every task's training step on one core next to PyTorch
## (when /usr/bin/python3 has torch), time the quick profile, estimate the paper profile;
## writes results/bench/<date>-<host>.md. BENCHFLAGS passes flags (-quick=false, -full=false, ...).
bench:
	$(GO) run ./perf/cmd/benchtable $(BENCHFLAGS)
