package pbkv

import "strconv"

// The facts pbkv's nodes record in the trace (sim.Context.Record) for the
// one-primary check, which gets them as typed values (a reader of the trace
// finds them with sim.ObserveFacts). Their descriptions are the trace's
// text.

// ViewDecided is the fact the view service records when it decides a view:
// its number and the names of its primary and backup ("none" for no
// backup).
type ViewDecided struct {
	Num     int
	Primary string
	Backup  string
}

// String describes the fact, e.g. "view 3 primary=n2 backup=none".
func (f ViewDecided) String() string {
	return "view " + strconv.Itoa(f.Num) + " primary=" + f.Primary + " backup=" + f.Backup
}

// PrimaryActs is the fact a server records when it first answers a client
// as the primary of view View. Server is its name.
type PrimaryActs struct {
	Server string
	View   int
}

// String describes the fact, e.g. "primary acts in view 3"; the trace event
// names the server.
func (f PrimaryActs) String() string { return "primary acts in view " + strconv.Itoa(f.View) }
