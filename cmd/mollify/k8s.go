package main

import (
	"fmt"
	"io"
	"path"

	"github.com/mollifying/mollify/deploy/k8s"
	"github.com/mollifying/mollify/experiment"
	"github.com/mollifying/mollify/store"
)

// cmdK8s writes the Indexed Job of a sweep (deploy/k8s) to stdout or -o.
func cmdK8s(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("k8s", stderr)
	var f sweepFlags
	f.register(fs, experiment.Paper)
	var s k8s.Spec
	fs.StringVar(&s.Name, "name", "", "Job name (default mollify-<profile>)")
	fs.StringVar(&s.Image, "image", "", "container image with the mollify binary (deploy/k8s/Dockerfile)")
	fs.StringVar(&s.Claim, "claim", "mollify-results", "ReadWriteMany PersistentVolumeClaim mounted at "+k8s.MountPath)
	fs.IntVar(&s.Shards, "shards", 0, "pods (the Job's completions), one core each")
	fs.IntVar(&s.Parallelism, "parallelism", 0, "pods running at once (0: all)")
	fs.IntVar(&s.Backoff, "backoff", 2, "failures tolerated per pod index")
	fs.StringVar(&s.Memory, "memory", "2Gi", "memory per pod")
	out := fs.String("o", "", "write the manifest to this file (default stdout)")
	if err := parse(fs, args); err != nil {
		return err
	}
	// The sweep's flags are checked here, as run would check them.
	if _, err := f.plan(); err != nil {
		return err
	}
	if experiment.IsProfileFile(f.profile) {
		// The pods read their flags, not this machine's files.
		return usagef("-profile %s: a profile file is not in the container image; k8s takes a built-in profile (change seeds, grids and options with -seeds, -grid, -set)", f.profile)
	}
	if s.Name == "" {
		s.Name = "mollify-" + f.prof.Name
	}
	s.Out = f.out
	if s.Out == "" {
		s.Out = path.Join(k8s.MountPath, f.prof.Name)
	}
	s.Sweep = f.args()
	b, err := k8s.Manifest(s)
	if err != nil {
		return usagef("%v", err)
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	if err := store.WriteAtomic(*out, b); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: kubectl apply -f %s\n", *out, *out)
	return nil
}
