package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkPlanTest {

    @Test
    void fullPlanIsIssueSixsW1() {
        BenchmarkPlan full = BenchmarkPlan.full();
        assertEquals(VitConfig.VIT_TINY, full.vit());
        assertEquals(32, full.batch());
        assertEquals(10, full.rank());
        assertEquals(List.of(1, 5, 10, 20), full.taskPoints());
        assertEquals(8, full.vitB16Batch());
        assertEquals(2048, full.squareSize());
        assertTrue(full.hasTask20Ratio());
    }

    @Test
    void quickKeepsTheW1ModelButSkipsVitB16() {
        BenchmarkPlan quick = BenchmarkPlan.quick();
        assertEquals(VitConfig.VIT_TINY, quick.vit());
        assertEquals(0, quick.vitB16Batch());
        assertTrue(quick.hasTask20Ratio());
    }

    @Test
    void gpuPlanIsTheW1ModelAndVitB16AtBatch64() {
        BenchmarkPlan gpu = BenchmarkPlan.gpu();
        assertEquals(VitConfig.VIT_TINY, gpu.vit());
        assertEquals(64, gpu.batch());
        assertEquals(64, gpu.vitB16Batch());
        assertTrue(gpu.hasTask20Ratio());
    }

    @Test
    void rejectsBadTaskPoints() {
        BenchmarkPlan q = BenchmarkPlan.quick();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BenchmarkPlan("x", q.vit(),
                32, 10, 10, 1, 3, List.of(5, 1), 32, 3, 3, 0.1, 1024, 0, 1, q.longRun()));
        assertTrue(e.getMessage().contains("ascend"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BenchmarkPlan("x", q.vit(), 32, 10, 10, 1, 3,
                List.of(0, 1), 32, 3, 3, 0.1, 1024, 0, 1, q.longRun()));
        assertThrows(IllegalArgumentException.class, () -> new BenchmarkPlan("x", q.vit(), 0, 10, 10, 1, 3,
                List.of(1), 32, 3, 3, 0.1, 1024, 0, 1, q.longRun()));
        assertFalse(new BenchmarkPlan("x", q.vit(), 32, 10, 10, 1, 3, List.of(1, 5), 32, 3, 3, 0.1, 1024, 0, 1, q.longRun())
                .hasTask20Ratio());
    }
}
