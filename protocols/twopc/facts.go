package twopc

import "strings"

// The facts below are what the coordinator and the participants record
// (sim.Context.Record) for the checks to read. Each String reproduces the
// stable line that describes the fact in traces and that the run's
// fingerprint hashes, e.g. "begin T n1,n2", "vote T yes", "decide T commit",
// "apply T commit unprepared", "blocked T: why".

// Began is the coordinator starting transaction Txn, whose keys the
// Participants (node names, in configuration order) own.
type Began struct {
	Txn          string
	Participants []string
}

// String describes the fact, e.g. "begin t1 n1,n2".
func (f Began) String() string { return "begin " + f.Txn + " " + strings.Join(f.Participants, ",") }

// Voted is a participant's vote on Txn: Yes (prepared, durably unless the
// variant forgets it) or no (aborted).
type Voted struct {
	Txn string
	Yes bool
}

// String describes the fact, e.g. "vote t1 yes".
func (f Voted) String() string {
	if f.Yes {
		return "vote " + f.Txn + " yes"
	}
	return "vote " + f.Txn + " no"
}

// Decided is a decision on Txn: the coordinator's, or with Backup a
// participant's acting as three-phase commit's backup coordinator.
type Decided struct {
	Txn    string
	Commit bool
	Backup bool
}

// String describes the fact, e.g. "decide t1 commit" or "decide t1 abort as backup".
func (f Decided) String() string {
	s := "decide " + f.Txn + " " + outcome(f.Commit)
	if f.Backup {
		s += " as backup"
	}
	return s
}

// Applied is a participant carrying out the outcome of Txn. Unprepared
// says it learned of a commit with no prepared state to apply (it had
// lost it).
type Applied struct {
	Txn        string
	Commit     bool
	Unprepared bool
}

// String describes the fact, e.g. "apply t1 commit" or "apply t1 commit unprepared".
func (f Applied) String() string {
	s := "apply " + f.Txn + " " + outcome(f.Commit)
	if f.Unprepared {
		s += " unprepared"
	}
	return s
}

// PreCommitStarted is a three-phase-commit coordinator logging that every
// participant of Txn voted yes and telling them so.
type PreCommitStarted struct{ Txn string }

// String describes the fact, e.g. "precommit t1".
func (f PreCommitStarted) String() string { return "precommit " + f.Txn }

// CoordinatorRecovered is a restarted coordinator finding Txn in its log
// undecided by the end: logged as committed (it announces the commit
// again), or else pre-committed (three-phase commit: the participants
// decide).
type CoordinatorRecovered struct {
	Txn    string
	Commit bool
}

// String describes the fact, e.g. "recover t1 commit".
func (f CoordinatorRecovered) String() string {
	if f.Commit {
		return "recover " + f.Txn + " commit"
	}
	return "recover " + f.Txn + " in doubt: the participants decide"
}

// ParticipantRecovered is a restarted participant finding Txn in its log
// in doubt, in State Prepared or PreCommitted.
type ParticipantRecovered struct {
	Txn   string
	State State
}

// String describes the fact, e.g. "recover t1 prepared".
func (f ParticipantRecovered) String() string { return "recover " + f.Txn + " " + f.State.String() }

// Blocked is a participant in doubt about Txn after a round of the
// termination protocol brought no decision. In two-phase commit the
// coordinator did not answer: Uncertain names the participants that
// answered but are in doubt too, Silent those that did not answer. In
// three-phase commit (NoBackup) no backup coordinator decided.
type Blocked struct {
	Txn               string
	NoBackup          bool
	Uncertain, Silent []string
}

// String describes the fact, e.g. "blocked t1: the coordinator does not
// answer; uncertain too: n2; silent: n3".
func (f Blocked) String() string {
	if f.NoBackup {
		return "blocked " + f.Txn + ": no backup coordinator decided in the last round"
	}
	s := "blocked " + f.Txn + ": the coordinator does not answer"
	if len(f.Uncertain) > 0 {
		s += "; uncertain too: " + strings.Join(f.Uncertain, ",")
	}
	if len(f.Silent) > 0 {
		s += "; silent: " + strings.Join(f.Silent, ",")
	}
	return s
}

// outcome names a decision: "commit" or "abort".
func outcome(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}
