package pbkv

import "fmt"

// Variant selects the protocol or one deliberately wrong version of it,
// for the bug zoo: each breaks one rule of the correct protocol, and the
// checks must catch it.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the protocol as designed.
	Correct Variant = "correct"
	// ReplyBeforeBackup: the primary applies a write and answers the
	// client before the backup has applied it, forwarding it afterwards.
	// A primary that crashes, or is deposed, right after answering takes
	// acknowledged writes with it.
	ReplyBeforeBackup Variant = "reply-before-backup"
	// ViewWithoutAck: the view service moves to the next view without
	// waiting for the primary to acknowledge the current one. It can
	// promote a backup that never received the state, while the old
	// primary, which never heard of the new views, still serves: split
	// brain.
	ViewWithoutAck Variant = "view-without-ack"
	// BackupBeforeTransfer: a new backup counts at once: the primary
	// acknowledges the view and forwards operations without waiting for the
	// state transfer, and the backup applies them to whatever state it has
	// and installs the transfer whenever it arrives.
	BackupBeforeTransfer Variant = "backup-before-transfer"
	// LeaseWithoutMargin: with read leases, the primary trusts its lease
	// up to the very instant the view service's clock says it ends, as if
	// clocks agreed exactly (Config.LeaseMargin is taken as zero).
	LeaseWithoutMargin Variant = "lease-without-margin"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, ReplyBeforeBackup, ViewWithoutAck, BackupBeforeTransfer, LeaseWithoutMargin}

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: unknown variant %q (want one of %v)", ErrConfig, name, Variants)
}
