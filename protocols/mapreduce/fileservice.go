package mapreduce

import (
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// fileService is the shared file service node ("fs"), a stand-in for GFS:
// it holds the input splits and the job's output in its durable storage,
// syncing every change before it answers, so a crash loses nothing
// acknowledged. Reads go out through its network interface (transfer time
// proportional to size); writes have already paid theirs at the sender.
// Rename is atomic: a reader sees the old file or the new one, never a
// mixture, which is what makes duplicate reduce executions harmless.
type fileService struct {
	nic nic
}

func newFileService(cfg *Config) sim.Factory {
	return func() sim.Node { return &fileService{nic: newNIC(cfg.FSBandwidth)} }
}

// Start implements sim.Node.
func (f *fileService) Start(*sim.Context) {}

// Receive implements sim.Node.
func (f *fileService) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	req, ok := msg.(fsRequest)
	if !ok {
		return
	}
	st := ctx.Storage()
	switch req.Op {
	case fsRead:
		data, ok := st.Get(req.Path)
		f.nic.enqueue(ctx, from, fsReply{Tag: req.Tag, OK: ok, Data: data}, len(data),
			nicKey{to: from, attempt: req.Tag.Attempt, n: req.Tag.Step})
		return
	case fsPut:
		st.Put(req.Path, req.Data)
	case fsCreate:
		st.Put(req.Path, nil)
	case fsAppend:
		old, _ := st.Get(req.Path)
		st.Put(req.Path, append(slices.Clip(old), req.Data...))
	case fsRename:
		data, ok := st.Get(req.Path)
		if !ok {
			// A retransmitted rename whose first copy succeeded.
			_, done := st.Get(req.To)
			ctx.Send(from, fsReply{Tag: req.Tag, OK: done})
			return
		}
		st.Put(req.To, data)
		st.Delete(req.Path)
	default:
		return
	}
	st.Sync()
	ctx.Send(from, fsReply{Tag: req.Tag, OK: true})
}

// Timer implements sim.Node.
func (f *fileService) Timer(ctx *sim.Context, tag any) {
	if _, ok := tag.(nicTick); ok {
		it := f.nic.done(ctx)
		ctx.Send(it.to, it.msg)
	}
}
