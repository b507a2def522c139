package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskAdapterTest {

    @Test
    void vitB16AdapterHas36864ParametersPerRank() {
        VitConfig b16 = VitConfig.VIT_B16;
        for (int r : new int[]{10, 8, 6}) {
            TaskAdapter a = TaskAdapter.initial(b16.depth(), b16.dim(), r, new SplittableRandom(1), DataType.FLOAT);
            assertEquals(36_864L * r, a.parameterCount());
        }
        assertEquals(368_640L, TaskAdapter.initial(12, 768, 10, new SplittableRandom(1), DataType.FLOAT).parameterCount());
    }

    @Test
    void initialisationIsKaimingUniformForAAndZeroForB() {
        int d = 64;
        TaskAdapter a = TaskAdapter.initial(2, d, 8, new SplittableRandom(3), DataType.FLOAT);
        double bound = 1 / Math.sqrt(d);
        for (int l = 0; l < 2; l++) {
            for (Projection p : Projection.values()) {
                LoraFactors f = a.get(l, p);
                assertTrue(f.a().amaxNumber().doubleValue() <= bound);
                assertTrue(f.a().amaxNumber().doubleValue() > 0.9 * bound, "A spans U(-1/sqrt(d), 1/sqrt(d))");
                assertEquals(0.0, f.b().amaxNumber().doubleValue());
            }
        }
        // q and v, and blocks, draw independent A's.
        assertTrue(a.get(0, Projection.Q).a().sub(a.get(0, Projection.V).a()).amaxNumber().doubleValue() > 0);
        assertTrue(a.get(0, Projection.Q).a().sub(a.get(1, Projection.Q).a()).amaxNumber().doubleValue() > 0);
        assertThrows(IllegalArgumentException.class, () -> TaskAdapter.initial(2, d, 0, new SplittableRandom(3),
                DataType.FLOAT));
    }
}
