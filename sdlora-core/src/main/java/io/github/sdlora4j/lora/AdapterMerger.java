package io.github.sdlora4j.lora;

import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashMap;
import java.util.List;
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
        double[] alpha = state.magnitudes();
        Map<String, INDArray> replaced = new HashMap<>();
        for (int l = 0; l < backbone.config().depth(); l++) {
            String name = TimmVitLayout.block(l, "attn.qkv.weight");
            INDArray qkv = backbone.get(name);
            INDArray merged = qkv.castTo(DataType.DOUBLE).dup('c');
            for (Projection p : Projection.values()) {
                List<AdapterTerm> terms = AdapterTerm.of(state, norm, l, p);
                if (terms.isEmpty()) {
                    continue;
                }
                INDArray rows = merged.get(NDArrayIndex.interval((long) p.qkvIndex() * d, (long) (p.qkvIndex() + 1) * d),
                        NDArrayIndex.all());
                for (AdapterTerm t : terms) {
                    INDArray b = t.factors().b().castTo(DataType.DOUBLE);
                    INDArray a = t.factors().a().castTo(DataType.DOUBLE);
                    rows.addi(b.mmul(a).muli(t.scale(alpha)));
                }
            }
            replaced.put(name, merged.castTo(qkv.dataType()));
        }
        return backbone.withReplaced(replaced);
    }
}
