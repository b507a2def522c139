package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class BenchmarkPlanTest {

    /** Each plan with its W1 batch and its ViT-B/16 batch (0: the quick plan skips ViT-B/16). */
    static Stream<Arguments> plans() {
        return Stream.of(arguments(BenchmarkPlan.full(), 32, 8), arguments(BenchmarkPlan.quick(), 32, 0),
                arguments(BenchmarkPlan.gpu(), 64, 64));
    }

    @ParameterizedTest
    @MethodSource("plans")
    void everyPlanTimesTheW1ModelUpToTask20(BenchmarkPlan plan, int batch, int vitB16Batch) {
        assertEquals(VitConfig.VIT_TINY, plan.vit());
        assertEquals(batch, plan.batch());
        assertEquals(vitB16Batch, plan.vitB16Batch());
        assertTrue(plan.hasTask20Ratio());
    }

    @Test
    void fullPlanIsIssueSixsW1() {
        BenchmarkPlan full = BenchmarkPlan.full();
        assertEquals(10, full.rank());
        assertEquals(List.of(1, 5, 10, 20), full.taskPoints());
        assertEquals(2048, full.squareSize());
    }

    @Test
    void rejectsBadTaskPoints() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan(32, List.of(5, 1)));
        assertTrue(e.getMessage().contains("ascend"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plan(32, List.of(0, 1)));
        assertThrows(IllegalArgumentException.class, () -> plan(0, List.of(1)));
        assertFalse(plan(32, List.of(1, 5)).hasTask20Ratio());
    }

    /** A small plan with the given batch and task points, the rest fixed. */
    private static BenchmarkPlan plan(int batch, List<Integer> taskPoints) {
        return new BenchmarkPlan("x", VitConfig.VIT_TINY, batch, 10, 10, 1, 3, taskPoints, 32, 3, 3, 0.1, 1024, 0, 1,
                BenchmarkPlan.quick().longRun());
    }
}
