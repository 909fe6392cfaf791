//go:build tools

// Package etcd only records that the local control plane builds the etcd server command, so
// that the module graph in go.mod and go.sum covers it. It is never compiled.
package etcd

import (
	_ "go.etcd.io/etcd/server/v3"
)
