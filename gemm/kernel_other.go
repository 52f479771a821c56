//go:build !amd64 || noasm

package gemm

// kernelSets lists the kernel paths this CPU can run, fastest first.
func kernelSets() []*kernelSet { return []*kernelSet{&genericKernels} }

// run computes one tile with the generic kernel.
func (ks *kernelSet) run(ka *kargs, mr, nv int, strided bool) { kernGeneric(ka, mr, nv, strided) }
