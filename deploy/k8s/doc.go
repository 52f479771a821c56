// Package k8s builds the Kubernetes manifest of a sweep: one Indexed Job
// whose pods are the sweep's shards. Pod i runs "mollify run ... -shards n
// -phase all" and reads its index from $JOB_COMPLETION_INDEX; the pods share
// one results folder on a ReadWriteMany volume, where leases keep them from
// computing a run twice and the shards wait for the tuning runs their final
// runs need (harness.Shard). The manifest is built from k8s.io/api's types,
// so it has the shape the API server decodes, and "mollify k8s" writes it
// from the same flags as "mollify run", so it always matches the plan.
package k8s
