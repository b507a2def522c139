package io.github.sdlora4j.lora;

import io.github.sdlora4j.NativeArrays;
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
            INDArray wide = qkv.castTo(DataType.DOUBLE);
            INDArray merged = wide.dup('c');
            NativeArrays.closeCopy(wide, qkv);
            for (Projection p : Projection.values()) {
                ProjectionTerms terms = algebra.terms(l, p);
                if (!terms.isEmpty()) {
                    INDArray delta = terms.all().delta(alpha);
                    merged.get(NDArrayIndex.interval((long) p.qkvIndex() * d, (long) (p.qkvIndex() + 1) * d),
                            NDArrayIndex.all()).addi(delta);
                    NativeArrays.close(delta);
                }
            }
            INDArray typed = merged.castTo(qkv.dataType());
            NativeArrays.closeCopy(merged, typed);
            replaced.put(name, typed);
        }
        return backbone.withReplaced(replaced);
    }

    /**
     * Releases the weights {@link #merge} made for {@code merged} (the qkv weights that differ from
     * {@code backbone}'s), once whatever runs the merged model has copied them into its own layout.
     */
    public static void release(VitWeights merged, VitWeights backbone) {
        merged.tensors().forEach((name, tensor) -> NativeArrays.closeCopy(tensor, backbone.get(name)));
    }
}
