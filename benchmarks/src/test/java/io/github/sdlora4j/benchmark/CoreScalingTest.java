package io.github.sdlora4j.benchmark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CoreScalingTest {

    @Test
    void perfectScalingHasNoSerialPartAndProjectsLinearly() {
        CoreScaling s = new CoreScaling(2, 2.0);
        assertEquals(0, s.serialFraction(), 1e-12);
        assertEquals(16, s.projectedSpeedup(16), 1e-9);
    }

    @Test
    void noSpeedUpIsAllSerialAndProjectsFlat() {
        CoreScaling s = new CoreScaling(2, 1.0);
        assertEquals(1, s.serialFraction(), 1e-12);
        assertEquals(1, s.projectedSpeedup(32), 1e-12);
    }

    @Test
    void karpFlattFromTheMeasurementThenAmdahl() {
        // 1.7x on 2 threads: e = (1/1.7 - 1/2) / (1 - 1/2) = 0.17647...
        CoreScaling s = new CoreScaling(2, 1.7);
        assertEquals((1 / 1.7 - 0.5) / 0.5, s.serialFraction(), 1e-12);
        double e = s.serialFraction();
        assertEquals(1 / (e + (1 - e) / 8), s.projectedSpeedup(8), 1e-12);
        assertEquals(1.7, s.projectedSpeedup(2), 1e-12, "reproduces the measurement");
        // 6x on 8 threads measured: e = (1/6 - 1/8) / (7/8)
        assertEquals((1.0 / 6 - 1.0 / 8) / (7.0 / 8), new CoreScaling(8, 6).serialFraction(), 1e-12);
    }

    @Test
    void slowdownsAndSuperlinearRunsAreHeldToTheUnitInterval() {
        assertEquals(1, new CoreScaling(2, 0.5).serialFraction(), 1e-12);
        assertEquals(0, new CoreScaling(2, 2.5).serialFraction(), 1e-12);
    }

    @Test
    void rejectsWhatCannotBeProjected() {
        assertThrows(IllegalArgumentException.class, () -> new CoreScaling(1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new CoreScaling(2, 0));
        assertThrows(IllegalArgumentException.class, () -> new CoreScaling(2, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CoreScaling(2, 1.5).projectedSpeedup(0));
    }
}
