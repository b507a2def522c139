package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.vit.Projection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** results.json and magnitudes.png report SD-LoRA's magnitudes after each task; the baselines report none. */
class MagnitudesTest {

    @TempDir
    Path dir;

    @Test
    void kdRunReportsEveryTasksAlphaAndAssimilatedBetaAfterEachTask() throws Exception {
        // A threshold above any squared residual of a unit direction: every new direction is assimilated.
        Path out = TinyRuns.runIn(dir, "kd", "epochs: 1\nmethod: {name: sdlora-kd, kdThreshold: 10}\n",
                "--method", "sdlora-kd");
        JsonNode m = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.RESULTS_JSON).toFile()).get("magnitudes");
        assertNotNull(m, "a single seed's magnitudes are at the top level");
        JsonNode alpha = m.get("alpha");
        JsonNode beta = m.get("assimilated");
        assertEquals(3, alpha.size());
        for (int t = 0; t < 3; t++) {
            assertEquals(t + 1, alpha.get(t).size(), "row t holds α_0..α_t");
            assertEquals(t + 1, beta.get(t).size());
        }
        // The last row is what the final learner holds.
        SdLoraState state = LearnerCheckpoint.load(out.resolve(RunOutputs.LEARNER)).state();
        double[] finalAlpha = state.magnitudes();
        for (int i = 0; i < 3; i++) {
            assertEquals(finalAlpha[i], alpha.get(2).get(i).asDouble());
            assertEquals(meanAssimilated(state, i), beta.get(2).get(i).asDouble(), 1e-12);
        }
        // Reference mode re-creates every α at 0.8 at a task's start: the earlier tasks' α were trained in task 3.
        assertNotEquals(0.8, alpha.get(2).get(0).asDouble());
        assertNotEquals(0.8, alpha.get(2).get(1).asDouble());
        assertEquals(0.0, beta.get(0).get(0).asDouble(), "nothing to assimilate into after the first task");
        assertNotEquals(0.0, beta.get(1).get(0).asDouble(), "task 2's directions went into task 1's");
        assertEquals(0.0, beta.get(2).get(2).asDouble(), "a task's own direction gets no β from itself");

        BufferedImage png = ImageIO.read(out.resolve(RunOutputs.MAGNITUDE_CHART).toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() >= 2 * png.getHeight(), "α and β panels side by side: " + png.getWidth());
    }

    @Test
    void baselinesWriteNoMagnitudes() throws Exception {
        Path out = TinyRuns.runIn(dir, "simplecil", "epochs: 1\nmethod: simplecil\n");
        JsonNode r = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.RESULTS_JSON).toFile());
        assertFalse(r.has("magnitudes"));
        assertFalse(r.get("runs").get(0).has("magnitudes"));
        assertFalse(Files.exists(out.resolve(RunOutputs.MAGNITUDE_CHART)));
    }

    private static double meanAssimilated(SdLoraState state, int task) {
        double sum = 0;
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                sum += state.assimilated(l, p, task);
            }
        }
        return sum / (2 * state.depth());
    }
}
