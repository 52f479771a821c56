// Package gradcheck verifies hand-written backward passes against float64
// central differences.
//
// The check contracts a layer's output with a fixed random matrix R, so the
// scalar loss is L = Σ R ⊙ y and dL/dy = R. Backward(R) gives the analytic
// gradients of the input and of every parameter; each is compared with
// (L(θ+h) − L(θ−h)) / 2h element by element. Stochastic layers are checked
// with their noise held fixed: the caller passes a reset function that
// re-seeds the layer's noise before every forward pass.
package gradcheck
