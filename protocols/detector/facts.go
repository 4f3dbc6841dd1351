package detector

// Opinion is the fact a Monitor records (sim.Context.Record) whenever one
// of its detectors changes its mind about a peer: Detector (NameFixed or
// NamePhi) now suspects Peer (a node name), or trusts it again. Analysis
// reads these facts; their description, which the run's fingerprint hashes,
// is "detector NAME suspect PEER" or "detector NAME trust PEER".
type Opinion struct {
	Detector string
	Peer     string
	Suspect  bool
}

// String describes the opinion, e.g. "detector phi suspect n3".
func (o Opinion) String() string {
	verb := " trust "
	if o.Suspect {
		verb = " suspect "
	}
	return "detector " + o.Detector + verb + o.Peer
}
