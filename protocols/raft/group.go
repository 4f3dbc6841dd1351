package raft

import (
	"strconv"

	"github.com/dsimlab/dsim/sim"
)

// group is what the servers of a cluster share: the configuration, the
// servers' node ids by index, the way back from a node id to a server
// index, and the facts they intern. It is read-only once resolved.
type group struct {
	cfg    Config
	ids    []sim.NodeID // servers by index
	byNode []int        // node id -> server index, or -1
	facts  factCache
	keys   keyCache
}

// newGroup returns a group for cfg whose servers are found by name (n1..nN)
// when the first of them starts.
func newGroup(cfg Config) *group {
	return &group{cfg: cfg}
}

// name returns the name of server i: "n1" for 0.
func name(i int) string { return "n" + strconv.Itoa(i+1) }

// resolve finds the servers' node ids by name, once. It panics if a server
// is missing: the world was set up wrong.
func (g *group) resolve(ctx *sim.Context) {
	if g.ids != nil {
		return
	}
	ids := make([]sim.NodeID, g.cfg.Servers)
	for i := range ids {
		id, ok := ctx.Lookup(name(i))
		if !ok {
			panic("raft: no server named " + name(i))
		}
		ids[i] = id
	}
	g.setIDs(ids, ctx.Nodes())
}

// setIDs records the servers' node ids among every node of the world.
func (g *group) setIDs(ids, nodes []sim.NodeID) {
	g.ids = ids
	g.byNode = make([]int, 0, len(nodes))
	for _, id := range nodes {
		for len(g.byNode) <= int(id) {
			g.byNode = append(g.byNode, -1)
		}
	}
	for i, id := range ids {
		for len(g.byNode) <= int(id) {
			g.byNode = append(g.byNode, -1)
		}
		g.byNode[id] = i
	}
}

// index returns the server index of node id, or -1 for a client.
func (g *group) index(id sim.NodeID) int {
	if id >= 0 && int(id) < len(g.byNode) {
		return g.byNode[id]
	}
	return -1
}

// NewServer returns the factory of server number index (from 0, named
// "n1" for 0) of a cluster configured by cfg, for a world that names its
// servers n1..nN: NewCluster builds its servers this way, and a test can
// drive one with a dsimtest probe. The servers a factory finds are those
// of the world it first starts in.
func NewServer(cfg Config, index int) sim.Factory {
	g := newGroup(cfg)
	return func() sim.Node { return &server{g: g, me: index} }
}
