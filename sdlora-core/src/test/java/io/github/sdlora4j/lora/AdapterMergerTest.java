package io.github.sdlora4j.lora;

import io.github.sdlora4j.NativeArrays;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Releasing a merged backbone frees the weights the merge made and nothing of the backbone it was made from. */
class AdapterMergerTest {

    private static final VitConfig C = VitConfig.TINY_TEST;

    @Test
    void releaseClosesTheMergedWeightsOnly() {
        SplittableRandom rng = new SplittableRandom(3);
        VitWeights backbone = TestWeights.perturbed(C, 2, DataType.FLOAT);
        SdLoraState state = new SdLoraState(C.depth());
        TaskAdapter adapter = TaskAdapter.initial(C.depth(), C.dim(), 2, rng, DataType.FLOAT);
        for (int l = 0; l < C.depth(); l++) {
            for (Projection p : Projection.values()) {
                LoraFactors f = adapter.get(l, p);
                adapter.set(l, p, new LoraFactors(f.a(), TestWeights.uniform(rng, 0.3, C.dim(), f.rank())));
            }
        }
        state.addTask(adapter);
        state.setMagnitudes(new double[]{1.0});
        VitWeights merged = AdapterMerger.merge(backbone, state, DirectionNorm.FACTOR_PRODUCT);
        int made = 0;
        for (String name : merged.tensors().keySet()) {
            made += merged.get(name) != backbone.get(name) ? 1 : 0;
        }
        assertEquals(C.depth(), made, "the merge makes one qkv weight per block");
        AdapterMerger.release(merged, backbone);
        merged.tensors().forEach((name, t) -> assertEquals(t != backbone.get(name), t.wasClosed(), name));
        backbone.tensors().forEach((name, t) -> assertFalse(t.wasClosed(), name + " is the backbone's"));
        assertTrue(merged.get(TimmVitLayout.block(0, "attn.qkv.weight")).wasClosed());
    }

    @Test
    void closeCopyNeverClosesTheOriginal() {
        INDArray x = TestWeights.uniform(new SplittableRandom(1), 1.0, 3, 4);
        INDArray same = x.castTo(DataType.FLOAT);
        NativeArrays.closeCopy(same, x);
        assertFalse(x.wasClosed(), "a cast to the same type returns the array itself");
        INDArray wide = x.castTo(DataType.DOUBLE);
        NativeArrays.closeCopy(wide, x);
        assertTrue(wide.wasClosed(), "a real copy is released");
        assertFalse(x.wasClosed());
    }
}
