package detector_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat"

	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/sim"
)

func at(ms float64) sim.Time { return sim.Time(ms * float64(time.Millisecond)) }

func TestFixedTimeout(t *testing.T) {
	f := detector.NewFixedTimeout(300*time.Millisecond, at(10))
	assert.Equal(t, at(310), f.SuspectAt(), "before any heartbeat, from the start")
	f.Heartbeat(at(100))
	assert.Equal(t, at(400), f.SuspectAt())
	f.Heartbeat(at(90))
	assert.Equal(t, at(400), f.SuspectAt(), "an earlier arrival changes nothing")
	f.Reset(at(1000))
	assert.Equal(t, at(1300), f.SuspectAt())
}

func TestPhiAccrual(t *testing.T) {
	cfg := detector.PhiConfig{Threshold: 8, Window: 5, MinStdDev: time.Millisecond, FirstEstimate: 100 * time.Millisecond}
	p := detector.NewPhiAccrual(cfg, 0)
	// Before any measurement: the seeded history 75ms and 125ms.
	mu, sigma := 100.0, 25.0
	assert.InDelta(t, mu+sigma*5.612, float64(p.SuspectAt())/1e6, 0.01, "phi 8 is about 5.612 standard deviations")

	arrivals := []float64{0, 100, 190, 310, 400, 520, 600}
	for _, a := range arrivals {
		p.Heartbeat(at(a))
	}
	// The window holds the last 5 intervals: 90, 120, 90, 120, 80.
	iv := []float64{90, 120, 90, 120, 80}
	mu, sd := stat.PopMeanStdDev(iv, nil)
	last := at(600)
	z := (float64(p.SuspectAt()-last)/1e6 - mu) / sd
	assert.InDelta(t, 5.612, z, 0.001)
	assert.InDelta(t, 8, p.Phi(p.SuspectAt()), 1e-6, "phi reaches the threshold exactly at SuspectAt")
	assert.Less(t, p.Phi(last+at(mu)), 1.0, "on time: phi is low")
	var prev float64
	for ms := 0.0; ms < 300; ms += 10 {
		phi := p.Phi(last + at(ms))
		assert.GreaterOrEqual(t, phi, prev, "phi grows with the delay")
		prev = phi
	}
	assert.True(t, math.IsInf(p.Phi(last+at(10_000)), 1), "a hopelessly late heartbeat")

	// Higher thresholds suspect later.
	var when []sim.Time
	for _, th := range []float64{1, 2, 4, 8, 16} {
		c := cfg
		c.Threshold = th
		q := detector.NewPhiAccrual(c, 0)
		for _, a := range arrivals {
			q.Heartbeat(at(a))
		}
		when = append(when, q.SuspectAt())
	}
	assert.IsIncreasing(t, when)

	// Duplicates (same time) teach nothing; AcceptablePause shifts the mean.
	before := p.SuspectAt()
	p.Heartbeat(at(600))
	assert.Equal(t, before, p.SuspectAt())
	c := cfg
	c.AcceptablePause = 50 * time.Millisecond
	q := detector.NewPhiAccrual(c, 0)
	for _, a := range arrivals {
		q.Heartbeat(at(a))
	}
	assert.Equal(t, before+at(50), q.SuspectAt())

	// Reset forgets the history.
	p.Reset(at(5000))
	assert.InDelta(t, 5000+100+25*5.612, float64(p.SuspectAt())/1e6, 0.01)
}

func TestPhiMinStdDev(t *testing.T) {
	for _, floor := range []time.Duration{time.Millisecond, 10 * time.Millisecond} {
		t.Run(fmt.Sprint(floor), func(t *testing.T) {
			p := detector.NewPhiAccrual(detector.PhiConfig{Threshold: 8, Window: 2, MinStdDev: floor, FirstEstimate: 100 * time.Millisecond}, 0)
			for i := 0; i < 5; i++ {
				p.Heartbeat(at(float64(100 * i)))
			}
			// Perfectly regular: the deviation is the floor.
			assert.InDelta(t, 400+100+float64(floor)/1e6*5.612, float64(p.SuspectAt())/1e6, 0.01)
		})
	}
}
