package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StepFlopsTest {

    /** 8x8 image, patch 4: 4 patches + CLS = 5 tokens; width 4, 1 block, MLP 8, 3 channels (V = 48). */
    private static final VitConfig SMALL = new VitConfig(8, 4, 3, 4, 1, 2, 8, 1e-6);

    @Test
    void forwardCountsEveryProductByHand() {
        // patch 2·4·48·4 = 1536; qkv 2·5·4·12 = 480; attention 4·25·4 = 400; proj 2·5·16 = 160;
        // mlp 4·5·4·8 = 640; LoRA 8·5·4·R(3) = 480; head 2·4·c(2) = 16.
        assertEquals(1536 + 480 + 400 + 160 + 640 + 480 + 16, StepFlops.forwardPerImage(SMALL, 3, 2), 1e-9);
        assertEquals(1536 + 480 + 400 + 160 + 640 + 16, StepFlops.forwardPerImage(SMALL, 0, 2), 1e-9);
    }

    @Test
    void backwardHasActivationGradientsAndOnlyTheCurrentTasksWeightGradients() {
        // qkv 480; attention 8·25·4 = 800; proj 160; mlp 640; LoRA activations 8·5·4·3 = 480;
        // current A/B 8·5·4·1 = 160; head 4·4·2 = 32. No patch embedding.
        assertEquals(480 + 800 + 160 + 640 + 480 + 160 + 32, StepFlops.backwardPerImage(SMALL, 3, 1, 2), 1e-9);
    }

    @Test
    void stepIsLinearInBatchWhileFinishedTasksAreStacked() {
        double one = StepFlops.trainingStep(SMALL, 1, 2, 1, 2);
        assertEquals(7 * one, StepFlops.trainingStep(SMALL, 7, 2, 1, 2), 1e-6);
    }

    @Test
    void w1StepIsAboutFiftyGflop() {
        // The figure quoted in RESULTS.md: W1 (VIT_TINY, batch 32, R = 20, r = 10, 10 classes).
        double gflop = StepFlops.trainingStep(VitConfig.VIT_TINY, 32, 20, 10, 10) / 1e9;
        assertEquals(49.86, gflop, 0.01);
    }

    @Test
    void finishedTasksPastAQuarterOfTheWidthAreCountedFolded() {
        // SMALL has D = 4: finished rank 1 stays stacked, finished rank 2 is folded into W_q and W_v.
        assertEquals(StepFlops.forwardPerImage(SMALL, 2, 2) + StepFlops.backwardPerImage(SMALL, 2, 1, 2),
                StepFlops.trainingStep(SMALL, 1, 2, 1, 2), 1e-9);
        // Folded, R = 3, r = 1: per image the LoRA terms count r = 1 only (forward 8·5·4·1 = 160, backward
        // 160 + 160), plus dW of q and v 4·5·16 = 320; per step 2·(2+4)·16·2 = 384 for forming the term.
        double perImage = (1536 + 480 + 400 + 160 + 640 + 160 + 16) + (480 + 800 + 160 + 640 + 160 + 160 + 32) + 320;
        assertEquals(3 * perImage + 384, StepFlops.trainingStep(SMALL, 3, 3, 1, 2), 1e-9);
    }

    @Test
    void rejectsImpossibleRanks() {
        assertThrows(IllegalArgumentException.class, () -> StepFlops.backwardPerImage(SMALL, 3, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> StepFlops.trainingStep(SMALL, 0, 3, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> StepFlops.forwardPerImage(SMALL, -1, 2));
    }
}
