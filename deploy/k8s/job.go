package k8s

import (
	"encoding/json"
	"fmt"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Spec describes the Job of one sweep.
type Spec struct {
	// Name of the Job (a DNS label).
	Name string
	// Image holds the static mollify binary at /mollify (deploy/k8s/Dockerfile).
	Image string
	// Claim is the PersistentVolumeClaim (ReadWriteMany) mounted at
	// /results, where the sweep writes.
	Claim string
	// Out is the results folder inside the volume, for example
	// /results/paper.
	Out string
	// Sweep are the run flags that choose the sweep (-profile, -tasks,
	// -configs, -seeds, -set, -select); Out and the shard flags are added.
	Sweep []string
	// Shards is the number of pods (completions); Parallelism how many run
	// at once (0: all).
	Shards, Parallelism int
	// Backoff is the number of pod failures tolerated per index.
	Backoff int
	// Memory requested per pod, for example "2Gi".
	Memory string
}

// MountPath is where the results volume is mounted in each pod.
const MountPath = "/results"

// Check returns an error naming the first field with a bad value.
func (s Spec) Check() error {
	switch {
	case s.Name == "" || len(s.Name) > 52:
		return fmt.Errorf("name %q: want 1 to 52 characters (a DNS label; Kubernetes adds a suffix)", s.Name)
	case s.Image == "":
		return fmt.Errorf("image: empty, want the mollify container image (deploy/k8s/Dockerfile)")
	case s.Claim == "":
		return fmt.Errorf("claim: empty, want a ReadWriteMany PersistentVolumeClaim for the results")
	case s.Shards < 1:
		return fmt.Errorf("shards: %d, want at least 1", s.Shards)
	case s.Parallelism < 0 || s.Parallelism > s.Shards:
		return fmt.Errorf("parallelism: %d, want 0 (all) to %d (the shards)", s.Parallelism, s.Shards)
	case s.Backoff < 0:
		return fmt.Errorf("backoff: %d, want 0 or more", s.Backoff)
	}
	if _, err := resource.ParseQuantity(s.Memory); err != nil {
		return fmt.Errorf("memory %q: %v", s.Memory, err)
	}
	return nil
}

// Job builds the Indexed Job of the sweep.
func Job(s Spec) (*batchv1.Job, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	par := s.Parallelism
	if par == 0 {
		par = s.Shards
	}
	mode := batchv1.IndexedCompletion
	args := append([]string{"run"}, s.Sweep...)
	args = append(args, "-out", s.Out, "-shards", strconv.Itoa(s.Shards), "-phase", "all", "-workers", "1")
	one := resource.MustParse("1")
	mem := resource.MustParse(s.Memory)
	labels := map[string]string{"app.kubernetes.io/name": "mollify", "mollify/sweep": s.Name}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Labels: labels},
		Spec: batchv1.JobSpec{
			CompletionMode:       &mode,
			Completions:          ptr(int32(s.Shards)),
			Parallelism:          ptr(int32(par)),
			BackoffLimitPerIndex: ptr(int32(s.Backoff)),
			// One failed index must not stop the others: a shard that
			// keeps failing leaves its runs to the shards that wait for
			// them, or to a rerun.
			MaxFailedIndexes: ptr(int32(s.Shards)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name:  "mollify",
						Image: s.Image,
						Args:  args,
						// Runs are single-threaded: one core per pod.
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: one, corev1.ResourceMemory: mem},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: one, corev1.ResourceMemory: mem},
						},
						VolumeMounts: []corev1.VolumeMount{{Name: "results", MountPath: MountPath}},
					}},
					Volumes: []corev1.Volume{{
						Name:         "results",
						VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: s.Claim}},
					}},
				},
			},
		},
	}, nil
}

// Manifest is the Job as indented JSON, which kubectl apply -f reads.
func Manifest(s Spec) ([]byte, error) {
	j, err := Job(s)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func ptr[T any](v T) *T { return &v }
