package io.github.sdlora4j.vit;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Adds a learned term to the q or v projection of an attention block while the ViT graph is built. */
@FunctionalInterface
public interface QkvAdapter {

    /** No adapter: a plain ViT. */
    QkvAdapter NONE = (sd, block, projection, input, outputScale) -> null;

    /**
     * @param input       the block's normalized tokens, shape [batch * tokens, dim]
     * @param outputScale factor the term must carry (the attention scale, when the graph folds it into q)
     * @return the term to add to {@code input · W_p^T + b_p}, shape [batch * tokens, dim], or {@code null} for none
     */
    SDVariable delta(SameDiff sd, int block, Projection projection, SDVariable input, double outputScale);

    /**
     * A term added to the projection's weight instead of to its output, for terms that cost less that way; called
     * before {@link #delta} for the same block and projection, and never counted twice by an implementation.
     *
     * @param outputScale as for {@link #delta}
     * @return [in, out] (the layout the graph stores weights in, see {@link TimmVitLayout}), or {@code null} for none
     */
    default SDVariable weightDelta(SameDiff sd, int block, Projection projection, double outputScale) {
        return null;
    }
}
