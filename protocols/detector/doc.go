// Package detector implements heartbeat failure detectors for dsim and
// measures them: the fixed-timeout detector and the φ-accrual detector of
// Hayashibara et al. (the one Cassandra and Akka use), judged with the
// quality-of-service metrics of Chen, Toueg and Aguilera.
//
// # Monitors
//
// A Monitor is a node that sends a Heartbeat to each peer every Interval
// and runs one or more detectors on the heartbeats it receives. Each
// detector keeps an Estimator per peer that says, after every heartbeat,
// when the peer should be suspected if no other one comes:
//
//   - FixedTimeout: the latest heartbeat plus Timeout;
//   - PhiAccrual: the moment φ reaches its threshold, where φ is −log₁₀ of
//     the probability that a heartbeat is this late under the normal
//     distribution learned from a window of recent inter-arrival times
//     (seeded, as in Akka, with the heartbeat interval ± a quarter).
//
// A timer per peer fires at the earliest such moment, so suspicion is exact
// in time, not polled. Heartbeats carry a random epoch per start and a
// sequence number: duplicates and overtaken heartbeats teach nothing, and a
// new epoch (the peer restarted) resets what was learned. Every change of
// opinion is recorded as a fact, an Opinion (described in the trace as
// "detector NAME suspect PEER" or "detector NAME trust PEER"); several
// detectors (Config.Detectors) can run side by side on the very same
// heartbeats.
//
//	cfg := &detector.Config{Interval: 100 * time.Millisecond, Timeout: 500 * time.Millisecond,
//		Phi: detector.PhiConfig{Threshold: 8, Window: 100, MinStdDev: 10 * time.Millisecond}}
//	a := detector.NewAnalysis(w.Name, cfg.Names()...)
//	w.Observe(a.Observe)
//	w.MustAddNode("n1", detector.NewMonitor(cfg)) // and more
//	...
//	for _, q := range a.QoS(w.Now()) { fmt.Println(q.Detector, q.MeanDetection(), q.MistakeRate()) }
//
// # Quality of service and checks
//
// Analysis reads the Opinion facts and the kernel's crash, restart, pause and
// partition events. It measures, per detector, the detection time T_D of
// every real crash (from the crash to the start of the suspicion that lasts
// until the node restarts), the mistakes (suspicions that begin while the
// target is up: paused or partitioned nodes are slow, not crashed), their
// rate λ_M per monitored pair per hour of simulated time, and their
// duration T_M. It decides two checks, both liveness:
//
//   - detector-completeness: every crashed node is suspected by every monitor
//     that stayed up, within a bound after the crash, or after the heal of a
//     partition in effect at the crash;
//   - detector-accuracy (eventual accuracy): no correct node is suspected
//     through the whole last bound of the run (with both ends up and the
//     network calm), so every mistake is eventually corrected; its detail
//     lists every false suspicion with its time and duration.
//
// The bug-zoo variants Sticky (never trusts again) and SharedTimer (one
// last-heard time for all peers) break one check each; the tests sweep the
// library scenarios with them.
//
// # The trade-off
//
// The detection-time/mistake-rate trade-off of both detectors over a range
// of timeouts and thresholds, with its plot, is package studies'
// (DetectorTradeOff): each setting a scenario case, all on the same
// heartbeats under a seed.
package detector
