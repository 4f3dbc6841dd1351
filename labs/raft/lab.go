package raftlab

import (
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
)

// Protocol is your Raft as dsim runs it: the scenario protocol "raft-lab",
// dsim's Raft clients and checks around your servers, with raft's
// parameters (but variant).
func Protocol() protocols.Protocol { return raft.ProtocolOf("raft-lab", NewServer) }
