// Package ext stands in for Traefik's dynamic-configuration extension module
// (github.com/traefik/traefik/dynamic/ext), which Traefik's own go.mod takes
// from a directory of its repository that is not part of the published module.
// The open-source build embeds these two types with no fields; so do we.
package ext

// HTTP is embedded (inline) in Traefik's dynamic HTTP configuration.
type HTTP struct{}

// Router is embedded (inline) in Traefik's dynamic HTTP router.
type Router struct{}
