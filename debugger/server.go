package debugger

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
)

//go:embed page.html
var pageHTML []byte

// Server serves the debugger's page and its API over one run, or over a
// trace read from a file. Over a run, it holds the branch being looked at;
// every request re-executes the run up to the point it asks about (see
// Run.At). It is safe for concurrent use, one request at a time.
type Server struct {
	mu        sync.Mutex
	base, run *Run
	trace     *Trace            // shown instead of a run, if not nil
	info      *RunInfo          // of run, computed once per branch
	violation *Violation        // of run, once found
	found     bool              // violation was searched for
	cache     map[uint64][]byte // State JSON by position, for run
	saveTo    string            // where save writes the branch, or ""
}

// Options configure a Server.
type Options struct {
	// SaveTo is the file a "save" writes the branch to, as a path file;
	// empty means the page offers the path for download only.
	SaveTo string
}

// NewServer returns a server over run r, which it starts at.
func NewServer(r *Run, opts Options) *Server {
	return &Server{base: r, run: r, cache: map[uint64][]byte{}, saveTo: opts.SaveTo}
}

// NewTraceServer returns a server over a trace read from a file: the same
// page, read-only. The routes that re-run the scenario (the violation,
// branching, the path and porcupine) answer with an error wrapping
// ErrNoCode.
func NewTraceServer(t *Trace) *Server {
	return &Server{trace: t, cache: map[uint64][]byte{}}
}

// ErrNoCode is wrapped by what a server over a trace cannot do: a trace
// records what happened, but carries neither the scenario nor the code
// that would re-run it, which branching and checks need.
var ErrNoCode = errors.New("debugger: a trace carries no code; branching and checks need the scenario that made it")

// RunInfo is what the page knows of the whole branch.
type RunInfo struct {
	Scenario string           `json:"scenario"`
	Seed     uint64           `json:"seed"`
	Total    uint64           `json:"total"` // events of the whole run
	EndTime  string           `json:"end_time"`
	Nodes    []string         `json:"nodes"`
	Faults   []Marker         `json:"faults"`
	Steps    []scenarios.Step `json:"steps"`
	Save     string           `json:"save,omitempty"`  // the file save writes
	Trace    *TraceInfo       `json:"trace,omitempty"` // the trace shown, if not a run
}

// Marker is a moment of the run on the page's scrubber: its position in
// events, its time and what happened.
type Marker struct {
	Events uint64 `json:"events"`
	Time   string `json:"time"`
	Text   string `json:"text"`
}

// Handler returns the HTTP handler of the page and its API:
//
//	GET  /                  the page
//	GET  /api/run           RunInfo of the branch
//	GET  /api/state?at=K    State after K events
//	GET  /api/violation     the branch's first Violation, or null
//	POST /api/branch        {"at":K,"action":...,"event":ID,"node":NAME}: a new choice after K events
//	POST /api/reset         back to the run the server started with
//	GET  /api/path          the branch as a path file
//	POST /api/save          write the path file to Options.SaveTo
//	GET  /porcupine?at=K    porcupine's page for the history after K events
//
// Over a trace, a position counts records rather than events, and the
// routes from /api/violation on answer 400 with ErrNoCode.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pageHTML)
	})
	mux.HandleFunc("GET /api/run", s.locked(s.serveRun))
	mux.HandleFunc("GET /api/state", s.locked(s.serveState))
	mux.HandleFunc("GET /api/violation", s.live(s.serveViolation))
	mux.HandleFunc("POST /api/branch", s.live(s.serveBranch))
	mux.HandleFunc("POST /api/reset", s.live(s.serveReset))
	mux.HandleFunc("GET /api/path", s.live(s.servePath))
	mux.HandleFunc("POST /api/save", s.live(s.serveSave))
	mux.HandleFunc("GET /porcupine", s.live(s.servePorcupine))
	return mux
}

// live serves what re-runs the scenario, which a server over a trace
// cannot.
func (s *Server) live(h func(*http.Request) (any, error)) http.HandlerFunc {
	if s.trace != nil {
		h = func(*http.Request) (any, error) { return nil, ErrNoCode }
	}
	return s.locked(h)
}

// locked serves one request at a time; an error becomes a JSON error.
func (s *Server) locked(h func(*http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		v, err := h(r)
		s.mu.Unlock()
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		switch v := v.(type) {
		case htmlPage:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(v)
		case json.RawMessage:
			w.Header().Set("Content-Type", "application/json")
			w.Write(v)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	}
}

// htmlPage is a response that is a page, not JSON.
type htmlPage []byte

// position reads the "at" parameter.
func position(r *http.Request) (uint64, error) {
	k, err := strconv.ParseUint(r.URL.Query().Get("at"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("at: want a number of events: %w", err)
	}
	return k, nil
}

func (s *Server) serveRun(*http.Request) (any, error) {
	if s.info != nil {
		return s.info, nil
	}
	if s.trace != nil {
		s.info = s.trace.Info()
		return s.info, nil
	}
	last, err := s.run.Last()
	if err != nil {
		return nil, err
	}
	w := last.World
	info := &RunInfo{Scenario: s.run.Name, Seed: s.run.Seed, Total: last.Events, EndTime: time.Duration(w.Now()).String(),
		Steps: s.run.Steps, Save: s.saveTo}
	if info.Steps == nil {
		info.Steps = []scenarios.Step{}
	}
	for _, id := range w.Nodes() {
		info.Nodes = append(info.Nodes, w.Name(id))
	}
	info.Faults = []Marker{}
	for _, e := range w.Trace() {
		if e.Kind.IsFault() {
			info.Faults = append(info.Faults, Marker{Events: last.EventOf[e.Seq], Time: time.Duration(e.Time).String(),
				Text: describeRecord(w, &e)})
		}
	}
	s.info = info
	return info, nil
}

func (s *Server) serveState(r *http.Request) (any, error) {
	k, err := position(r)
	if err != nil {
		return nil, err
	}
	if b, ok := s.cache[k]; ok {
		return json.RawMessage(b), nil
	}
	st, err := s.stateAt(k)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	if len(s.cache) > 256 {
		clear(s.cache)
	}
	s.cache[k] = b
	return json.RawMessage(b), nil
}

// stateAt returns the State at position k: of the trace, or of the run
// re-executed.
func (s *Server) stateAt(k uint64) (*State, error) {
	if s.trace != nil {
		return s.trace.State(k)
	}
	p, err := s.run.At(k)
	if err != nil {
		return nil, err
	}
	return p.State()
}

func (s *Server) serveViolation(*http.Request) (any, error) {
	if !s.found {
		v, err := s.run.FirstViolation()
		if err != nil {
			return nil, err
		}
		s.violation, s.found = v, true
	}
	return s.violation, nil
}

// branchRequest is the body of POST /api/branch.
type branchRequest struct {
	At     uint64 `json:"at"`
	Action string `json:"action"`
	Event  uint64 `json:"event"`
	Node   string `json:"node"`
}

// branchReply says where the new branch stands.
type branchReply struct {
	Events uint64 `json:"events"` // the position after the choice
}

func (s *Server) serveBranch(r *http.Request) (any, error) {
	var req branchRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
		return nil, fmt.Errorf("branch: %w", err)
	}
	p, err := s.run.At(req.At)
	if err != nil {
		return nil, err
	}
	next := s.run.Branch(p, scenarios.Step{Action: req.Action, Event: req.Event, Node: req.Node})
	q, err := next.At(p.Events)
	if err != nil {
		return nil, err
	}
	s.setRun(next)
	return branchReply{Events: q.Events}, nil
}

func (s *Server) serveReset(*http.Request) (any, error) {
	s.setRun(s.base)
	return branchReply{}, nil
}

// setRun makes r the branch looked at.
func (s *Server) setRun(r *Run) {
	s.run, s.info, s.violation, s.found = r, nil, nil, false
	clear(s.cache)
}

func (s *Server) servePath(*http.Request) (any, error) {
	return s.run.Path(s.note()), nil
}

// note is the note of a saved path.
func (s *Server) note() string {
	return fmt.Sprintf("a branch of %s seed %d made in dsim debug, %d choices", s.run.Name, s.run.Seed, len(s.run.Steps))
}

// saveReply says where the path was written.
type saveReply struct {
	File string          `json:"file"`
	Path *scenarios.Path `json:"path"`
}

func (s *Server) serveSave(*http.Request) (any, error) {
	if s.saveTo == "" {
		return nil, errors.New("save: the debugger was started without a file to save to (--save FILE); download the path instead")
	}
	p := s.run.Path(s.note())
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.saveTo, b.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("save: %w", err)
	}
	return saveReply{File: s.saveTo, Path: p}, nil
}

func (s *Server) servePorcupine(r *http.Request) (any, error) {
	k, err := position(r)
	if err != nil {
		return nil, err
	}
	p, err := s.run.At(k)
	if err != nil {
		return nil, err
	}
	rep := p.Check()
	if rep.Visualization == nil {
		return htmlPage(fmt.Sprintf(noVisualization, p.Events, time.Duration(p.World.Now()))), nil
	}
	var b bytes.Buffer
	if err := rep.Visualization(&b); err != nil {
		return nil, fmt.Errorf("porcupine: %w", err)
	}
	return htmlPage(reports.PorcupineAtFirstError(b.String())), nil
}

// noVisualization is the page shown where no linearizability check fails.
const noVisualization = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>porcupine</title></head>
<body style="font: 14px system-ui, sans-serif; color: #555"><p id="no-visualization">After %d events (%v) no linearizability
check fails, so porcupine has no counterexample to show.</p></body></html>`
