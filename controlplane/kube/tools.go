//go:build tools

// Package kube only records which Kubernetes commands the local control plane builds, so that
// the module graph in go.mod and go.sum covers them. It is never compiled.
package kube

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
