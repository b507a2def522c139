package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.Map;

/**
 * Folds every SD-LoRA term into the backbone: {@code W_p ← W_p + Σ_i s_i·B_i·A_i} for p in {q, v}, so that
 * inference runs a plain ViT at the cost of no adapter at all. The sum is accumulated in double precision.
 */
public final class AdapterMerger {

    private AdapterMerger() {
    }

    /** The backbone with {@code state}'s adapters folded into the q and v rows of every qkv weight. */
    public static VitWeights merge(VitWeights backbone, SdLoraState state, DirectionNorm norm) {
        int d = backbone.config().dim();
        SdLoraAlgebra algebra = SdLoraAlgebra.of(state, norm, SdLoraAlgebra.Training.NONE);
        double[] alpha = algebra.magnitudes();
        Map<String, INDArray> replaced = new HashMap<>();
        for (int l = 0; l < backbone.config().depth(); l++) {
            String name = TimmVitLayout.block(l, "attn.qkv.weight");
            INDArray qkv = backbone.get(name);
            INDArray merged = qkv.castTo(DataType.DOUBLE).dup('c');
            for (Projection p : Projection.values()) {
                ProjectionTerms terms = algebra.terms(l, p);
                if (!terms.isEmpty()) {
                    merged.get(NDArrayIndex.interval((long) p.qkvIndex() * d, (long) (p.qkvIndex() + 1) * d),
                            NDArrayIndex.all()).addi(terms.all().delta(alpha));
                }
            }
            replaced.put(name, merged.castTo(qkv.dataType()));
        }
        return backbone.withReplaced(replaced);
    }
}
